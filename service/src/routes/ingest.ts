// POST /api/v1/ingest-bundle: signed bundle ingestion (Standard Webhooks). Verify → rate limit per
// signing key (shared through Postgres) → validate (422 with field errors) → idempotent upsert.
import { createHash } from 'node:crypto';
import { Router, type RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Pool } from 'pg';
import { bundleSchema, fieldErrors } from '../core/bundle';
import { retryAfterSeconds } from '../core/rate-limit';
import { signingKey, verify, WebhookVerificationError } from '../core/standard-webhooks';
import type { EventStore } from '../db/events';
import { ingestBundle } from '../db/ingest';
import { PostgresRateLimitStore } from '../db/rate-limit-store';
import { bodyBuffer, parseJsonBody, rawBody } from '../http/body';
import { sendError } from '../http/errors';
import type { Metrics } from '../metrics';

export interface IngestOptions {
	pool: Pool;
	/** `whsec_…` secrets; each one is a signing key with its own rate limit. */
	signingSecrets: readonly string[];
	store: EventStore;
	metrics: Metrics;
	bodyLimitBytes: number;
	ratePerMinute: number;
	toleranceSeconds?: number;
	now?: () => Date;
}

/** A stable, non-secret id of a signing secret (for rate-limit keys and the ledger). */
export function signingKeyId(secret: string): string {
	return `key_${createHash('sha256').update(secret).digest('hex').slice(0, 16)}`;
}

declare module 'express-serve-static-core' {
	interface Request {
		signingKeyId?: string;
		webhookId?: string;
	}
}

export function createIngestRouter(options: IngestOptions): Router {
	const router = Router();
	const now = options.now ?? (() => new Date());
	const keys = options.signingSecrets.map((secret) => signingKey(secret));
	const keyIds = options.signingSecrets.map(signingKeyId);

	const verifySignature: RequestHandler = (req, res, next) => {
		const body = bodyBuffer(req.body);
		try {
			const verified = verify(
				body,
				{
					'webhook-id': req.get('webhook-id'),
					'webhook-timestamp': req.get('webhook-timestamp'),
					'webhook-signature': req.get('webhook-signature'),
				},
				keys,
				{ nowSeconds: Math.floor(now().getTime() / 1000), toleranceSeconds: options.toleranceSeconds },
			);
			if (verified.id.length > 200)
				return sendError(res, 400, 'invalid_webhook_id', 'webhook-id is longer than 200 characters.');
			req.signingKeyId = keyIds[verified.secretIndex];
			req.webhookId = verified.id;
			next();
		} catch (error) {
			if (!(error instanceof WebhookVerificationError)) throw error;
			options.metrics.signatureFailures.inc({ source: 'ingest', reason: error.code });
			sendError(res, 401, error.code, error.message);
		}
	};

	const limiter = rateLimit({
		windowMs: 60_000,
		limit: options.ratePerMinute,
		store: new PostgresRateLimitStore(options.pool, 'ingest:'),
		keyGenerator: (req) => req.signingKeyId!,
		standardHeaders: 'draft-7',
		legacyHeaders: false,
		passOnStoreError: false,
		validate: { keyGeneratorIpFallback: false, trustProxy: false, xForwardedForHeader: false },
		handler: (req, res) => {
			const reset = (req as unknown as { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
			const seconds = reset ? retryAfterSeconds(reset.getTime(), Date.now()) : 60;
			res.setHeader('Retry-After', String(seconds));
			sendError(
				res,
				429,
				'rate_limited',
				`More than ${options.ratePerMinute} bundles per minute with this signing key; retry in ${seconds} s.`,
			);
		},
	});

	router.post('/api/v1/ingest-bundle', rawBody(options.bodyLimitBytes), verifySignature, limiter, async (req, res) => {
		const body = bodyBuffer(req.body);
		const json = parseJsonBody(req.get('content-type'), body);
		const parsed = bundleSchema.safeParse(json);
		if (!parsed.success) {
			return sendError(
				res,
				422,
				'validation_failed',
				'The bundle is not valid; see details for each field.',
				fieldErrors(parsed.error),
			);
		}
		const outcome = await ingestBundle(
			options.pool,
			{
				webhookId: req.webhookId!,
				signingKeyId: req.signingKeyId!,
				rawBody: body,
				bundle: parsed.data,
				receivedAt: now(),
			},
			options.store.hookList,
		);
		if (outcome.kind === 'conflict') {
			return sendError(
				res,
				409,
				'idempotency_conflict',
				'This webhook-id was already used for a different body: use a new webhook-id for a new bundle.',
			);
		}
		if (outcome.kind === 'replayed') options.metrics.duplicates.inc({ source: 'ingest' });
		else options.metrics.eventsStored.inc({ source: 'ingest' });
		res.setHeader('Idempotent-Replayed', outcome.kind === 'replayed' ? 'true' : 'false');
		res.json(outcome.result);
	});

	return router;
}
