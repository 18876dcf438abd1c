// GET and POST /webhooks/meta: Meta's webhook endpoint for WhatsApp Cloud API and Instagram.
// GET is the subscription handshake; POST is a signed batch of events, stored durably (and
// deduplicated) before it is answered 200. Thin shell over core/meta-signature, core/meta-events and
// db/events.
import { timingSafeEqual } from 'node:crypto';
import { Router } from 'express';
import { MetaPayloadError, normalizeMetaPayload } from '../core/meta-events';
import { MetaSignatureError, verifyMetaSignature } from '../core/meta-signature';
import type { EventStore } from '../db/events';
import { bodyBuffer, parseJsonText, rawBody } from '../http/body';
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

export function createMetaWebhookRouter(options: MetaWebhookOptions): Router {
	const router = Router();
	const now = options.now ?? (() => new Date());

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

	router.post('/webhooks/meta', rawBody(options.bodyLimitBytes), async (req, res) => {
		const body = bodyBuffer(req.body);
		try {
			verifyMetaSignature(body, req.get('x-hub-signature-256'), options.appSecrets);
		} catch (error) {
			if (!(error instanceof MetaSignatureError)) throw error;
			options.metrics.signatureFailures.inc({ source: 'meta', reason: error.reason });
			return sendError(res, error.reason === 'no_secrets' ? 500 : 401, error.reason, error.message);
		}
		const { json, text } = parseJsonText(req.get('content-type'), body);
		let events;
		try {
			events = normalizeMetaPayload(json, now(), text);
		} catch (error) {
			if (error instanceof MetaPayloadError) throw new HttpError(400, 'invalid_payload', error.message);
			throw error;
		}
		const result = await options.store.store({ source: 'meta', rawBody: body, events });
		if (result.stored.length > 0) options.metrics.eventsStored.inc({ source: 'meta' }, result.stored.length);
		if (result.duplicates > 0) options.metrics.duplicates.inc({ source: 'meta' }, result.duplicates);
		res.json({ received: events.length, stored: result.stored.length, duplicates: result.duplicates });
	});

	return router;
}
