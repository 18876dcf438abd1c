// GET and POST /webhooks/meta: Meta's webhook endpoint for WhatsApp Cloud API and Instagram.
// GET is the subscription handshake; POST is a signed batch of events, stored durably (and
// deduplicated) before it is answered 200; it is answered on the fast path (http/fast-path.ts) unless
// its body is encoded. Thin shell over core/meta-signature, core/meta-events and db/events.
import { timingSafeEqual } from 'node:crypto';
import { Router } from 'express';
import { MetaPayloadError, normalizeMetaPayload } from '../core/meta-events';
import { MetaSignatureError, verifyMetaSignature } from '../core/meta-signature';
import type { EventStore } from '../db/events';
import { bodyBuffer, parseJsonText, rawBody } from '../http/body';
import { fastPath, type FastPath, type FastPathDeps } from '../http/fast-path';
import { HttpError, sendError } from '../http/errors';
import type { Metrics } from '../metrics';

export interface MetaWebhookOptions {
	appSecrets: readonly string[];
	verifyToken: string;
	store: EventStore;
	metrics: Metrics;
	bodyLimitBytes: number;
	now?: () => Date;
}

function sameString(a: string, b: string): boolean {
	const x = Buffer.from(a);
	const y = Buffer.from(b);
	return x.length === y.length && timingSafeEqual(x, y);
}

export interface MetaPost {
	body: Buffer;
	contentType: string | undefined;
	signature: string | undefined;
}

/** The answer to a stored Meta POST: events in it, newly stored, and already stored (a redelivery). */
export interface MetaPostAnswer {
	received: number;
	stored: number;
	duplicates: number;
}

/**
 * A Meta POST verified, normalized and stored; resolves once committed. A bad signature, content type
 * or payload throws HttpError (401, 415, 400; 500 when no app secret is configured).
 */
export async function receiveMetaPost(options: MetaWebhookOptions, post: MetaPost): Promise<MetaPostAnswer> {
	try {
		verifyMetaSignature(post.body, post.signature, options.appSecrets);
	} catch (error) {
		if (!(error instanceof MetaSignatureError)) throw error;
		options.metrics.signatureFailures.inc({ source: 'meta', reason: error.reason });
		throw new HttpError(error.reason === 'no_secrets' ? 500 : 401, error.reason, error.message);
	}
	const { json, text } = parseJsonText(post.contentType, post.body);
	let events;
	try {
		events = normalizeMetaPayload(json, (options.now ?? (() => new Date()))(), text);
	} catch (error) {
		if (error instanceof MetaPayloadError) throw new HttpError(400, 'invalid_payload', error.message);
		throw error;
	}
	const result = await options.store.store({ source: 'meta', rawBody: post.body, events });
	if (result.stored.length > 0) options.metrics.eventsStored.inc({ source: 'meta' }, result.stored.length);
	if (result.duplicates > 0) options.metrics.duplicates.inc({ source: 'meta' }, result.duplicates);
	return { received: events.length, stored: result.stored.length, duplicates: result.duplicates };
}

/** POST /webhooks/meta on Node's own request and response (see http/fast-path.ts). */
export function metaPostFastPath(options: MetaWebhookOptions, deps: FastPathDeps): FastPath {
	return fastPath(
		{
			method: 'POST',
			path: '/webhooks/meta',
			takes: (req) => {
				const encoding = req.headers['content-encoding'];
				return encoding === undefined || encoding.trim().toLowerCase() === 'identity';
			},
			bodyLimitBytes: options.bodyLimitBytes,
			handle: async (body, req) => ({
				status: 200,
				body: await receiveMetaPost(options, {
					body,
					contentType: req.headers['content-type'],
					signature: headerValue(req.headers['x-hub-signature-256']),
				}),
			}),
		},
		deps,
	);
}

const headerValue = (value: string | string[] | undefined): string | undefined =>
	Array.isArray(value) ? value.join(', ') : value;

export function createMetaWebhookRouter(options: MetaWebhookOptions): Router {
	const router = Router();

	router.get('/webhooks/meta', (req, res) => {
		const mode = req.query['hub.mode'];
		const token = req.query['hub.verify_token'];
		const challenge = req.query['hub.challenge'];
		if (typeof mode !== 'string' || typeof token !== 'string' || typeof challenge !== 'string') {
			return sendError(
				res,
				400,
				'missing_parameters',
				'Expected the query parameters hub.mode, hub.verify_token and hub.challenge (Meta sends them when you verify the callback URL).',
			);
		}
		if (mode !== 'subscribe') return sendError(res, 400, 'invalid_mode', 'hub.mode must be "subscribe".');
		if (!sameString(token, options.verifyToken)) {
			options.metrics.signatureFailures.inc({ source: 'meta', reason: 'verify_token_mismatch' });
			return sendError(
				res,
				403,
				'verify_token_mismatch',
				'hub.verify_token does not match META_VERIFY_TOKEN: enter the same token in the Meta App Dashboard.',
			);
		}
		if (challenge.length > 1024) return sendError(res, 400, 'invalid_challenge', 'hub.challenge is too long.');
		res.setHeader('X-Content-Type-Options', 'nosniff');
		res.type('text/plain').send(challenge);
	});

	// Taken by metaPostFastPath, except bodies with a content encoding (body-parser inflates them).
	router.post('/webhooks/meta', rawBody(options.bodyLimitBytes), async (req, res) => {
		res.json(
			await receiveMetaPost(options, {
				body: bodyBuffer(req.body),
				contentType: req.get('content-type'),
				signature: req.get('x-hub-signature-256'),
			}),
		);
	});

	return router;
}
