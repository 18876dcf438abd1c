// POST /api/v1/ingest-bundle against real Postgres: Standard Webhooks verification, zod validation
// with field errors, idempotent upsert, the library.bundle_ingested event, and the per-key rate
// limit shared through Postgres by two service instances.
import { randomBytes } from 'node:crypto';
import type { PoolClient } from 'pg';
import { signHeaders } from '../src/core/standard-webhooks';
import type { StoredEvent } from '../src/db/events';
import { withUser } from '../src/db/rls';
import type { TestDatabase } from '../../test/helpers/postgres';
import { count, migratedDatabase, startService, type TestService, json } from './helpers';

const bundle = (id: string, assets: Array<Record<string, unknown>>) => JSON.stringify({ bundle_id: id, assets });
const asset = (slug: string, extra: Record<string, unknown> = {}) => ({
	slug,
	type: 'prompt',
	title: `Title ${slug}`,
	content: `Text of ${slug}`,
	tags: ['diwali'],
	...extra,
});

describe('signed bundle ingestion', () => {
	let db: TestDatabase;
	let service: TestService;
	const hooked: StoredEvent[] = [];

	beforeAll(async () => {
		db = await migratedDatabase('ingest');
		service = await startService(db.pool, {
			hooks: [async (_tx: PoolClient, events: StoredEvent[]) => void hooked.push(...events)],
		});
	});
	afterAll(async () => {
		await service.close();
		await db.drop();
	});

	it('upserts the assets, records a library.bundle_ingested event and answers with the result', async () => {
		const res = await service.postBundle(
			bundle('b-1', [asset('offer-1'), asset('offer-2', { is_premium: true, content: { lines: ['a', 'b'] } })]),
			{ id: 'msg_first' },
		);
		expect(res.status).toBe(200);
		const result = await json(res);
		expect(result).toMatchObject({ bundle_id: 'b-1', webhook_id: 'msg_first', created: 2, updated: 0 });
		expect(result.assets.map((a: { slug: string; action: string }) => [a.slug, a.action])).toEqual([
			['offer-1', 'created'],
			['offer-2', 'created'],
		]);
		const { rows } = await db.pool.query(
			'SELECT slug, is_premium, content, tags, source_bundle FROM library_assets ORDER BY slug',
		);
		expect(rows).toEqual([
			{ slug: 'offer-1', is_premium: false, content: 'Text of offer-1', tags: ['diwali'], source_bundle: 'b-1' },
			{ slug: 'offer-2', is_premium: true, content: { lines: ['a', 'b'] }, tags: ['diwali'], source_bundle: 'b-1' },
		]);
		// Premium asset ids go to pro owners only: a full event for them, one without offer-2 for the others.
		expect(hooked.map((e) => e.type)).toEqual(['library.bundle_ingested', 'library.bundle_ingested']);
		const byTier = Object.fromEntries(hooked.map((e) => [e.payload.visible_to_tier, e.payload])) as Record<string, any>;
		expect(byTier.pro).toMatchObject({ bundle_id: 'b-1', created: 2 });
		expect(byTier.pro.assets.map((a: { slug: string }) => a.slug)).toEqual(['offer-1', 'offer-2']);
		expect(byTier.free).toMatchObject({ bundle_id: 'b-1', created: 1 });
		expect(byTier.free.assets.map((a: { slug: string }) => a.slug)).toEqual(['offer-1']);
	});

	it('answers the same webhook-id again with the first result and writes nothing twice', async () => {
		const body = bundle('b-2', [asset('offer-3')]);
		const first = await service.postBundle(body, { id: 'msg_again' });
		const firstResult = await json(first);
		const events = await count(db.pool, 'SELECT * FROM events');
		const again = await service.postBundle(body, { id: 'msg_again' });
		expect(again.status).toBe(200);
		expect(again.headers.get('idempotent-replayed')).toBe('true');
		expect(await json(again)).toEqual(firstResult);
		expect(await count(db.pool, 'SELECT * FROM events')).toBe(events);
		expect(await count(db.pool, "SELECT * FROM library_assets WHERE slug = 'offer-3'")).toBe(1);
		expect(await count(db.pool, "SELECT * FROM ingest_requests WHERE webhook_id = 'msg_again'")).toBe(1);
	});

	it('handles ten concurrent deliveries of one webhook-id as one', async () => {
		const body = bundle('b-3', [asset('offer-4')]);
		const timestamp = Math.floor(Date.now() / 1000);
		const responses = await Promise.all(
			Array.from({ length: 10 }, () => service.postBundle(body, { id: 'msg_concurrent', timestamp })),
		);
		expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
		const results = await Promise.all(responses.map((r) => json(r)));
		for (const result of results) expect(result).toEqual(results[0]);
		expect(await count(db.pool, "SELECT * FROM events WHERE dedupe_key = 'ingest:msg_concurrent'")).toBe(1);
	});

	it('updates assets when a later bundle carries the same slug', async () => {
		const res = await service.postBundle(bundle('b-4', [asset('offer-1', { title: 'Renamed', is_premium: true })]));
		expect(await json(res)).toMatchObject({ created: 0, updated: 1 });
		const { rows } = await db.pool.query(
			"SELECT title, is_premium, source_bundle FROM library_assets WHERE slug = 'offer-1'",
		);
		expect(rows[0]).toEqual({ title: 'Renamed', is_premium: true, source_bundle: 'b-4' });
	});

	it('refuses a reused webhook-id with a different body (409)', async () => {
		await service.postBundle(bundle('b-5', [asset('offer-5')]), { id: 'msg_reused' });
		const res = await service.postBundle(bundle('b-5', [asset('offer-6')]), { id: 'msg_reused' });
		expect(res.status).toBe(409);
		expect((await json(res)).error.code).toBe('idempotency_conflict');
		expect(await count(db.pool, "SELECT * FROM library_assets WHERE slug = 'offer-6'")).toBe(0);
	});

	it('makes premium assets readable by pro users only, through row-level security', async () => {
		const { rows } = await db.pool.query<{ id: string; tier: string }>(
			"INSERT INTO users (email, tier) VALUES ('f@example.com', 'free'), ('p@example.com', 'pro') RETURNING id::text, tier",
		);
		const slugs = (userId: string) =>
			withUser(db.pool, userId, (c) => c.query('SELECT slug FROM library_assets WHERE is_premium ORDER BY slug')).then(
				(r) => r.rows.map((x) => x.slug),
			);
		expect(await slugs(rows.find((r) => r.tier === 'free')!.id)).toEqual([]);
		expect(await slugs(rows.find((r) => r.tier === 'pro')!.id)).toEqual(['offer-1', 'offer-2']);
	});

	it('answers 422 with field-level messages for an invalid bundle and stores nothing', async () => {
		const before = await count(db.pool, 'SELECT * FROM library_assets');
		const res = await service.postBundle(
			JSON.stringify({
				bundle_id: 'b-6',
				assets: [asset('ok'), { slug: 'Bad Slug', type: 'movie', title: '', content: 'x' }],
			}),
		);
		expect(res.status).toBe(422);
		const { error } = await json(res);
		expect(error.code).toBe('validation_failed');
		expect(error.details.map((d: { path: string }) => d.path)).toEqual(
			expect.arrayContaining(['assets[1].slug', 'assets[1].type', 'assets[1].title']),
		);
		expect(await count(db.pool, 'SELECT * FROM library_assets')).toBe(before);
	});

	it('answers 422, not 5xx, for text Postgres cannot store', async () => {
		const res = await service.postBundle(
			'{"bundle_id":"b-nul","assets":[{"slug":"nul","type":"prompt","title":"a\\u0000b","content":"x"}]}',
		);
		expect(res.status).toBe(422);
		expect((await json(res)).error.details).toEqual([
			{ path: 'assets[0]', message: expect.stringContaining('U+0000') },
		]);
	});

	it('accepts the second signing secret (rotation)', async () => {
		const res = await service.postBundle(bundle('b-7', [asset('offer-7')]), {
			secret: service.settings.INGEST_SIGNING_SECRETS[1],
		});
		expect(res.status).toBe(200);
	});

	it.each([
		['a stale timestamp', () => ({ timestamp: Math.floor(Date.now() / 1000) - 310 }), 'timestamp_too_old'],
		['a future timestamp', () => ({ timestamp: Math.floor(Date.now() / 1000) + 310 }), 'timestamp_too_new'],
		['an unknown secret', () => ({ secret: `whsec_${randomBytes(32).toString('base64')}` }), 'no_matching_signature'],
		['an absurd timestamp', () => ({ headers: { 'webhook-timestamp': '1e309' } }), 'invalid_timestamp'],
		['no signature header', () => ({ headers: { 'webhook-signature': '' } }), 'missing_headers'],
	])('answers 401 for %s', async (_name, options, code) => {
		const res = await service.postBundle(
			bundle('b-x', [asset('never')]),
			(options as () => Parameters<TestService['postBundle']>[1])(),
		);
		expect(res.status).toBe(401);
		expect((await json(res)).error.code).toBe(code);
		expect(await count(db.pool, "SELECT * FROM library_assets WHERE slug = 'never'")).toBe(0);
	});

	it('answers 400 for malformed JSON and 415 for a wrong content type', async () => {
		expect((await service.postBundle('{"bundle_id":')).status).toBe(400);
		expect(
			(
				await service.postBundle(bundle('b-8', [asset('x1')]), {
					headers: { 'content-type': 'application/x-www-form-urlencoded' },
				})
			).status,
		).toBe(415);
	});
});

describe('ingestion rate limit', () => {
	let db: TestDatabase;
	let a: TestService;
	let b: TestService;

	beforeAll(async () => {
		db = await migratedDatabase('ratelimit');
		a = await startService(db.pool, { settings: { INGEST_RATE_LIMIT_PER_MINUTE: 10 } });
		// A second instance with the same secrets: the limit lives in Postgres, so they share it.
		b = await startService(db.pool, { settings: { ...a.settings } });
	});
	afterAll(async () => {
		await a.close();
		await b.close();
		await db.drop();
	});

	it('allows 10 bundles per minute per signing key across instances, then 429 with Retry-After', async () => {
		// Stay inside one fixed window: start right after a minute boundary if we are close to the next.
		const msLeft = 60_000 - (Date.now() % 60_000);
		if (msLeft < 5_000) await new Promise((resolve) => setTimeout(resolve, msLeft + 50));
		const statuses: number[] = [];
		for (let i = 0; i < 10; i++) {
			const target = i % 2 === 0 ? a : b;
			statuses.push((await target.postBundle(bundle(`rl-${i}`, [asset(`rl-${i}`)]))).status);
		}
		expect(statuses).toEqual(Array(10).fill(200));
		const limited = await b.postBundle(bundle('rl-10', [asset('rl-10')]));
		expect(limited.status).toBe(429);
		const retryAfter = Number(limited.headers.get('retry-after'));
		expect(retryAfter).toBeGreaterThanOrEqual(1);
		expect(retryAfter).toBeLessThanOrEqual(60);
		expect((await json(limited)).error.code).toBe('rate_limited');
		expect(await count(db.pool, "SELECT * FROM library_assets WHERE slug = 'rl-10'")).toBe(0);
		// The other signing key has its own budget.
		expect(
			(await a.postBundle(bundle('rl-k2', [asset('rl-k2')]), { secret: a.settings.INGEST_SIGNING_SECRETS[1] })).status,
		).toBe(200);
	});

	it('does not count requests with bad signatures against the key', async () => {
		const body = bundle('rl-bad', [asset('rl-bad')]);
		const headers = signHeaders(
			[`whsec_${randomBytes(32).toString('base64')}`],
			'msg_bad',
			Math.floor(Date.now() / 1000),
			body,
		);
		const hits = () =>
			db.pool
				.query<{ n: number }>('SELECT coalesce(sum(hits), 0)::int AS n FROM rate_limit_counters')
				.then((r) => r.rows[0].n);
		const before = await hits();
		const res = await fetch(`${a.url}/api/v1/ingest-bundle`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', ...headers },
			body,
		});
		expect(res.status).toBe(401);
		expect(await hits()).toBe(before);
		expect((await a.postBundle(body, { secret: a.settings.INGEST_SIGNING_SECRETS[1] })).status).toBe(200);
		expect(await hits()).toBe(before + 1);
	});
});
