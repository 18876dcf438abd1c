// Bundle ingestion, in one transaction: claim the webhook-id (idempotency), upsert the assets by
// slug, record the `library.bundle_ingested` event (hooks run in the same transaction), remember
// the response. The same webhook-id again returns the first response and writes nothing.
import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import type { Bundle, IngestResult } from '../core/bundle';
import type { NormalizedEvent } from '../core/meta-events';
import { withTransaction } from './client';
import { insertEventsInTransaction, type EventHook } from './events';

type IngestOutcome =
	{ kind: 'ingested'; result: IngestResult } | { kind: 'replayed'; result: IngestResult } | { kind: 'conflict' };

interface IngestInput {
	webhookId: string;
	signingKeyId: string;
	rawBody: Buffer;
	bundle: Bundle;
	receivedAt: Date;
}

/**
 * The `library.bundle_ingested` event(s) of an ingestion. Premium asset ids are for `pro` owners
 * only: a bundle with premium assets gives a full event for them and one without the premium assets
 * for everyone else (each subscription receives exactly one of the two). Pure.
 */
function bundleIngestedEvents(
	result: IngestResult,
	input: Pick<IngestInput, 'webhookId' | 'signingKeyId' | 'receivedAt'>,
	premium: ReadonlySet<string>,
): NormalizedEvent[] {
	const event = (dedupeKey: string, payload: Record<string, unknown>): NormalizedEvent => ({
		type: 'library.bundle_ingested',
		dedupeKey,
		occurredAt: input.receivedAt,
		payload: { ...payload, signing_key_id: input.signingKeyId },
	});
	if (!result.assets.some((asset) => premium.has(asset.slug))) return [event(`ingest:${input.webhookId}`, result)];
	const free = result.assets.filter((asset) => !premium.has(asset.slug));
	return [
		event(`ingest:${input.webhookId}`, { ...result, visible_to_tier: 'pro' }),
		event(`ingest:${input.webhookId}:free`, {
			...result,
			created: free.filter((asset) => asset.action === 'created').length,
			updated: free.filter((asset) => asset.action === 'updated').length,
			assets: free,
			visible_to_tier: 'free',
		}),
	];
}

/** The tier an event is restricted to (see bundleIngestedEvents); undefined: every subscriber. */
export function visibleToTier(payload: Record<string, unknown>): 'free' | 'pro' | undefined {
	return payload.visible_to_tier === 'pro' || payload.visible_to_tier === 'free' ? payload.visible_to_tier : undefined;
}

export function ingestBundle(pool: Pool, input: IngestInput, hooks: readonly EventHook[] = []): Promise<IngestOutcome> {
	const sha = createHash('sha256').update(input.rawBody).digest();
	return withTransaction(pool, async (client) => {
		// A concurrent request with the same webhook-id waits here until the first commits (then sees
		// the conflict) or rolls back (then goes ahead).
		const claim = await client.query(
			`INSERT INTO ingest_requests (webhook_id, signing_key_id, body_sha256, status_code, response)
			 VALUES ($1, $2, $3, 0, '{}') ON CONFLICT (webhook_id) DO NOTHING`,
			[input.webhookId, input.signingKeyId, sha],
		);
		if (claim.rowCount === 0) {
			const { rows } = await client.query<{ body_sha256: Buffer; response: IngestResult }>(
				'SELECT body_sha256, response FROM ingest_requests WHERE webhook_id = $1',
				[input.webhookId],
			);
			const row = rows[0];
			if (!row || !row.body_sha256.equals(sha)) return { kind: 'conflict' };
			return { kind: 'replayed', result: row.response };
		}
		const assets = [...input.bundle.assets].sort((a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0));
		const { rows } = await client.query<{ id: string; slug: string; created: boolean }>(
			`INSERT INTO library_assets AS a (slug, type, title, content, tags, is_premium, source_bundle)
			 SELECT r.slug, r.type, r.title, r.content, r.tags, r.is_premium, $2
			 FROM jsonb_to_recordset($1::jsonb) AS r(ord int, slug text, type text, title text, content jsonb, tags text[], is_premium boolean)
			 ORDER BY r.ord
			 ON CONFLICT (slug) DO UPDATE SET
			   type = EXCLUDED.type, title = EXCLUDED.title, content = EXCLUDED.content, tags = EXCLUDED.tags,
			   is_premium = EXCLUDED.is_premium, source_bundle = EXCLUDED.source_bundle, updated_at = now()
			 RETURNING a.id::text AS id, a.slug, (a.xmax = 0) AS created`,
			[JSON.stringify(assets.map((asset, ord) => ({ ord, ...asset }))), input.bundle.bundle_id],
		);
		const bySlug = new Map(rows.map((row) => [row.slug, row]));
		const ordered = input.bundle.assets.map((asset) => bySlug.get(asset.slug)!);
		const result: IngestResult = {
			bundle_id: input.bundle.bundle_id,
			webhook_id: input.webhookId,
			created: ordered.filter((row) => row.created).length,
			updated: ordered.filter((row) => !row.created).length,
			assets: ordered.map((row) => ({ id: row.id, slug: row.slug, action: row.created ? 'created' : 'updated' })),
		};
		const premium = new Set(input.bundle.assets.filter((asset) => asset.is_premium).map((asset) => asset.slug));
		await insertEventsInTransaction(client, bundleIngestedEvents(result, input, premium), hooks);
		await client.query('UPDATE ingest_requests SET status_code = 200, response = $2 WHERE webhook_id = $1', [
			input.webhookId,
			JSON.stringify(result),
		]);
		return { kind: 'ingested', result };
	});
}
