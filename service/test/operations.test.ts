// Operations: Prometheus metrics, the OpenAPI document, request ids, logs without secrets or
// bodies, graceful shutdown that drains in-flight requests, and 503 (never 200) without a database.
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import Ajv2020 from 'ajv/dist/2020';
import { Pool, type PoolClient } from 'pg';
import { freePort } from '../src/db/embedded';
import { createLogger } from '../src/logger';
import type { TestDatabase } from '../../test/helpers/postgres';
import { migratedDatabase, startService, type TestService, json } from './helpers';

const waBody = (id: string, text = 'hello') =>
	Buffer.from(
		JSON.stringify({
			object: 'whatsapp_business_account',
			entry: [
				{
					id: '1',
					changes: [
						{
							field: 'messages',
							value: {
								metadata: { phone_number_id: '2' },
								messages: [{ from: '91980', id, timestamp: '1750000000', type: 'text', text: { body: text } }],
							},
						},
					],
				},
			],
		}),
	);

describe('operations', () => {
	let db: TestDatabase;
	let service: TestService;
	const logLines: string[] = [];

	beforeAll(async () => {
		db = await migratedDatabase('ops');
		const sink = new Writable({
			write(chunk, _encoding, done) {
				logLines.push(...String(chunk).split('\n').filter(Boolean));
				done();
			},
		});
		service = await startService(db.pool, { logger: createLogger('info', sink) });
	});
	afterAll(async () => {
		await service.close();
		await db.drop();
	});

	it('exposes request counts by route and status, signature failures, duplicates and event-store latency', async () => {
		await service.postMeta(waBody('wamid.m1'));
		await service.postMeta(waBody('wamid.m1'));
		await fetch(`${service.url}/webhooks/meta`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: '{}',
		});
		const res = await fetch(`${service.url}/metrics`);
		expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
		const text = await res.text();
		expect(text).toMatch(/http_requests_total\{route="\/webhooks\/meta",method="POST",status="200"\} 2/);
		expect(text).toMatch(/http_requests_total\{route="\/webhooks\/meta",method="POST",status="401"\} 1/);
		expect(text).toMatch(/signature_failures_total\{source="meta",reason="missing_signature"\} 1/);
		expect(text).toMatch(/events_duplicate_total\{source="meta"\} 1/);
		expect(text).toMatch(/events_stored_total\{source="meta"\} 1/);
		expect(text).toMatch(/event_store_duration_seconds_count\{source="meta"\} [1-9]/);
	});

	it('serves an OpenAPI 3.1 document whose bundle schema is the one the route enforces', async () => {
		const doc = await json(await fetch(`${service.url}/openapi.json`));
		expect(doc.openapi).toBe('3.1.0');
		expect(Object.keys(doc.paths)).toEqual(
			expect.arrayContaining(['/webhooks/meta', '/api/v1/ingest-bundle', '/healthz', '/readyz', '/metrics']),
		);
		expect(Object.keys(doc.paths['/webhooks/meta'])).toEqual(expect.arrayContaining(['get', 'post']));
		const ajv = new Ajv2020({ strict: false });
		const validate = ajv.compile(doc.components.schemas.Bundle);
		const good = { bundle_id: 'b', assets: [{ slug: 'a', type: 'prompt', title: 'A', content: 'x' }] };
		expect(validate(good)).toBe(true);
		expect(validate({ bundle_id: 'b', assets: [{ slug: 'a', type: 'movie', title: 'A', content: 'x' }] })).toBe(false);
		const res = await service.postBundle(JSON.stringify(good));
		expect(res.status).toBe(200);
	});

	it('tags every response and log line with a request id, and logs neither secrets nor bodies', async () => {
		const secretText = `secret-body-${randomBytes(6).toString('hex')}`;
		const res = await service.postMeta(waBody('wamid.log', secretText), { headers: { 'x-request-id': 'req-abc-123' } });
		expect(res.headers.get('x-request-id')).toBe('req-abc-123');
		const generated = await fetch(`${service.url}/healthz`);
		expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
		const line = logLines.map((l) => JSON.parse(l)).find((l) => l.req_id === 'req-abc-123');
		expect(line).toMatchObject({ level: 30, route: '/webhooks/meta', status: 200 });
		const all = logLines.join('\n');
		expect(all).not.toContain(secretText);
		for (const secret of [
			...service.settings.META_APP_SECRETS,
			...service.settings.INGEST_SIGNING_SECRETS,
			service.settings.META_VERIFY_TOKEN,
		]) {
			expect(all).not.toContain(secret);
		}
		expect(all).not.toMatch(/sha256=[0-9a-f]{64}/);
	});
});

describe('trust proxy', () => {
	it('logs the client address from X-Forwarded-For only for the configured number of proxy hops', async () => {
		const db = await migratedDatabase('proxy');
		const ips: Array<string | undefined> = [];
		const sink = new Writable({
			write(chunk, _encoding, done) {
				for (const line of String(chunk).split('\n').filter(Boolean)) ips.push(JSON.parse(line).ip);
				done();
			},
		});
		const direct = await startService(db.pool, { logger: createLogger('info', sink) });
		const behindProxy = await startService(db.pool, {
			logger: createLogger('info', sink),
			settings: { TRUST_PROXY_HOPS: 1 },
		});
		try {
			const headers = { 'x-forwarded-for': '203.0.113.7' };
			await fetch(`${direct.url}/healthz`, { headers });
			await fetch(`${behindProxy.url}/healthz`, { headers });
			expect(ips).toEqual(['127.0.0.1', '203.0.113.7']);
		} finally {
			await direct.close();
			await behindProxy.close();
			await db.drop();
		}
	});
});

describe('graceful shutdown and database loss', () => {
	it('finishes in-flight requests with 200 after shutdown begins and refuses new connections', async () => {
		const db = await migratedDatabase('drain');
		let release!: () => void;
		const gate = new Promise<void>((resolve) => (release = resolve));
		let entered!: () => void;
		const inHook = new Promise<void>((resolve) => (entered = resolve));
		const service = await startService(db.pool, {
			hooks: [
				async (_tx: PoolClient) => {
					entered();
					await gate;
				},
			],
		});
		try {
			const inFlight = service.postMeta(waBody('wamid.drain'));
			await inHook;
			const closing = service.running.close(10_000);
			await new Promise((resolve) => setTimeout(resolve, 50));
			await expect(fetch(`${service.url}/healthz`)).rejects.toThrow();
			release();
			const res = await inFlight;
			expect(res.status).toBe(200);
			expect(await closing).toBe(true);
			expect((await db.pool.query("SELECT 1 FROM events WHERE dedupe_key = 'wa.message:wamid.drain'")).rowCount).toBe(
				1,
			);
		} finally {
			release();
			await db.drop();
		}
	});

	it('answers 503 (so Meta and signers retry), never 200, when the database is unreachable', async () => {
		const pool = new Pool({
			connectionString: `postgres://nobody:nothing@127.0.0.1:${await freePort()}/none`,
			connectionTimeoutMillis: 1000,
		});
		const service = await startService(pool);
		try {
			const meta = await service.postMeta(waBody('wamid.nodb'));
			expect(meta.status).toBe(503);
			expect(meta.headers.get('retry-after')).toBe('5');
			expect((await json(meta)).error.code).toBe('database_unavailable');
			const bundle = await service.postBundle(
				JSON.stringify({ bundle_id: 'b', assets: [{ slug: 'a', type: 'prompt', title: 'A', content: 'x' }] }),
			);
			expect(bundle.status).toBe(503);
		} finally {
			await service.close();
			await pool.end();
		}
	});
});
