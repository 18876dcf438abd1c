// Nothing grows without bound (issue 11): the retention sweeper removes rows past their retention in
// small batches while ingestion runs at load (no error, no new event lost), erasure still scrubs raw
// payloads at once, and a subscription's signing secret rotates with an overlap in which deliveries
// verify with either secret — after it, only with the new one.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestDatabase } from '../../test/helpers/postgres';
import { verify, WebhookVerificationError } from '../src/core/standard-webhooks';
import { createRetentionSweeper, RETENTION_TABLES, type RetentionSweeper } from '../src/retention/sweeper';
import { retentionEnvSchema } from '../src/retention/settings';
import { count } from './helpers';
import { inboundMessages, migratedDatabase, startApiService, userWithKey, wamid, type ApiService } from './api/helpers';

jest.setTimeout(120_000);

let db: TestDatabase;
let service: ApiService;
let key: string;

beforeAll(async () => {
	db = await migratedDatabase('retention');
	service = await startApiService(db.pool, { FANOUT_RETRY_SCHEDULE: '0,50ms,100ms,200ms' });
	await service.api.worker!.start();
	key = (await userWithKey(db.pool, 'free', 'events,contacts')).key;
});

afterAll(async () => {
	await service.close();
	await db.drop();
});

async function until(what: string, check: () => Promise<boolean>, limitMs = 60_000): Promise<void> {
	const end = Date.now() + limitMs;
	while (!(await check())) {
		if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
		await new Promise((r) => setTimeout(r, 25));
	}
}

/** Rows older than their retention (defaults: payloads 30 d, deliveries 14 d, ingest 7 d, counters 1 h), and rows just inside it. */
async function seedOldAndRecentRows(subscriptionId: string, old: number): Promise<void> {
	await db.pool.query(
		`INSERT INTO webhook_payloads (source, body_sha256, raw_body, received_at)
		 SELECT 'meta', sha256(('old-' || g || '-' || $2)::bytea), convert_to('{"old":' || g || '}', 'UTF8'),
		        now() - CASE WHEN g <= $1 THEN interval '40 days' ELSE interval '29 days' END
		 FROM generate_series(1, $1 + 10) g`,
		[old, randomBytes(4).toString('hex')],
	);
	// Old events that point at old payloads: they stay, without their raw payload.
	await db.pool.query(
		`INSERT INTO events (type, dedupe_key, occurred_at, received_at, payload, payload_id)
		 SELECT 'whatsapp.message', 'old:' || p.id, now() - interval '40 days', now() - interval '40 days', '{}'::jsonb, p.id
		 FROM webhook_payloads p WHERE p.received_at < now() - interval '35 days'`,
	);
	await db.pool.query(
		`INSERT INTO deliveries (subscription_id, event_id, event_type, status, attempts, succeeded_at, created_at)
		 SELECT $1, e.id, e.type, CASE WHEN row_number() OVER () % 10 = 0 THEN 'dead' ELSE 'succeeded' END, 1,
		        now() - interval '20 days', now() - interval '20 days'
		 FROM events e WHERE e.dedupe_key LIKE 'old:%'`,
		[subscriptionId],
	);
	await db.pool.query(
		`INSERT INTO ingest_requests (webhook_id, signing_key_id, body_sha256, status_code, response, received_at)
		 SELECT 'msg_old_' || g, 'key_x', sha256(g::text::bytea), 200, '{}'::jsonb, now() - CASE WHEN g <= $1 THEN interval '8 days' ELSE interval '6 days' END
		 FROM generate_series(1, $1 + 10) g`,
		[old],
	);
	await db.pool.query(
		`INSERT INTO rate_limit_counters (key, window_start_ms, hits)
		 SELECT 'old:' || g, (extract(epoch FROM now()) * 1000)::bigint - CASE WHEN g <= $1 THEN 7200000 ELSE 600000 END, 1
		 FROM generate_series(1, $1 + 10) g`,
		[old],
	);
}

const oldRows = {
	webhook_payloads: `SELECT 1 FROM webhook_payloads WHERE received_at < now() - interval '30 days'`,
	deliveries: `SELECT 1 FROM deliveries WHERE status = 'succeeded' AND succeeded_at < now() - interval '14 days'`,
	ingest_requests: `SELECT 1 FROM ingest_requests WHERE received_at < now() - interval '7 days'`,
	rate_limit_counters: `SELECT 1 FROM rate_limit_counters WHERE window_start_ms < (extract(epoch FROM now()) * 1000)::bigint - 3600000`,
};

describe('retention', () => {
	let sweeper: RetentionSweeper | undefined;
	afterEach(async () => sweeper?.stop());

	it('removes rows past their retention in small batches while signed webhooks arrive at load, losing none', async () => {
		const subscription = await service.call(key, 'POST', '/api/v1/subscriptions', {
			url: 'http://127.0.0.1:9/unused',
			event_types: ['contact.opted_out'],
		});
		expect(subscription.status).toBe(201);
		const OLD = 600;
		await seedOldAndRecentRows(subscription.body.id, OLD);
		for (const sql of Object.values(oldRows)) expect(await count(db.pool, sql)).toBeGreaterThanOrEqual(OLD * 0.9);
		const deadBefore = await count(db.pool, `SELECT 1 FROM deliveries WHERE status = 'dead'`);

		const warnings: string[] = [];
		sweeper = createRetentionSweeper({
			pool: db.pool,
			settings: retentionEnvSchema.parse({ RETENTION_BATCH_SIZE: '25', RETENTION_SWEEP_INTERVAL: '10ms' }),
			maxBatchesPerSweep: 2,
			log: (level, msg) => level === 'warn' && warnings.push(msg),
		});
		sweeper.start();

		// 300 signed Meta webhooks and 50 signed bundles in parallel with the sweeper, each one new.
		const ids = Array.from({ length: 300 }, () => wamid());
		const bundleIds = Array.from({ length: 50 }, (_, index) => `msg_load_${index}_${randomBytes(4).toString('hex')}`);
		const statuses = await Promise.all([
			...ids.map((id, index) =>
				service
					.postMeta(inboundMessages([{ from: `91981230${String(index).padStart(4, '0')}`, id, text: 'hello' }]))
					.then((res) => res.status),
			),
			...bundleIds.map((id, index) =>
				service
					.postBundle(
						JSON.stringify({
							bundle_id: `load-${index}`,
							assets: [{ slug: `load-${index}`, type: 'prompt', title: 'Load', content: 'x' }],
						}),
						{ id },
					)
					.then((res) => res.status),
			),
		]);
		expect(statuses.filter((status) => status !== 200)).toEqual([]);

		await until('every old row removed', async () => {
			for (const sql of Object.values(oldRows)) if ((await count(db.pool, sql)) > 0) return false;
			return true;
		});
		await sweeper.stop();
		expect(warnings).toEqual([]);

		// Every new event is stored, with its raw payload; rows inside their retention are kept.
		expect(
			await count(db.pool, `SELECT 1 FROM events WHERE dedupe_key = ANY ($1::text[])`, [
				ids.map((id) => `wa.message:${id}`),
			]),
		).toBe(300);
		expect(
			await count(
				db.pool,
				`SELECT 1 FROM events e JOIN webhook_payloads p ON p.id = e.payload_id WHERE e.dedupe_key = ANY ($1::text[])`,
				[ids.map((id) => `wa.message:${id}`)],
			),
		).toBe(300);
		expect(
			await count(db.pool, `SELECT 1 FROM ingest_requests WHERE webhook_id = ANY ($1::text[]) AND status_code = 200`, [
				bundleIds,
			]),
		).toBe(50);
		expect(
			await count(
				db.pool,
				`SELECT 1 FROM events WHERE type = 'library.bundle_ingested' AND payload->>'bundle_id' LIKE 'load-%'`,
			),
		).toBe(50);
		expect(
			await count(
				db.pool,
				`SELECT 1 FROM webhook_payloads WHERE received_at BETWEEN now() - interval '30 days' AND now() - interval '28 days'`,
			),
		).toBe(10);
		expect(await count(db.pool, `SELECT 1 FROM ingest_requests WHERE webhook_id LIKE 'msg_old_%'`)).toBe(10);
		expect(await count(db.pool, `SELECT 1 FROM rate_limit_counters WHERE key LIKE 'old:%'`)).toBe(10);
		// Dead letters are kept (only succeeded deliveries expire); old events stay, without their raw payload.
		expect(await count(db.pool, `SELECT 1 FROM deliveries WHERE status = 'dead'`)).toBe(deadBefore);
		expect(await count(db.pool, `SELECT 1 FROM events WHERE dedupe_key LIKE 'old:%'`)).toBe(OLD);
		expect(await count(db.pool, `SELECT 1 FROM events WHERE dedupe_key LIKE 'old:%' AND payload_id IS NOT NULL`)).toBe(
			0,
		);
		expect(Object.values(await sweeper.sweep())).toEqual(RETENTION_TABLES.map(() => 0));
	});

	it('gives way to a request holding the event of an old payload, and removes the payload on a later sweep', async () => {
		const { rows } = await db.pool.query<{ id: string }>(
			`INSERT INTO webhook_payloads (source, body_sha256, raw_body, received_at)
			 VALUES ('meta', sha256($1::bytea), convert_to('{}', 'UTF8'), now() - interval '40 days') RETURNING id`,
			[Buffer.from(randomBytes(8))],
		);
		const payloadId = rows[0].id;
		await db.pool.query(
			`INSERT INTO events (type, dedupe_key, occurred_at, payload, payload_id) VALUES ('whatsapp.message', $1, now(), '{}', $2)`,
			[`held:${payloadId}`, payloadId],
		);
		sweeper = createRetentionSweeper({ pool: db.pool, settings: retentionEnvSchema.parse({}) });
		const holder = await db.pool.connect();
		try {
			await holder.query('BEGIN');
			await holder.query('SELECT 1 FROM events WHERE payload_id = $1 FOR UPDATE', [payloadId]);
			const counts = await sweeper.sweep();
			expect(counts.webhook_payloads).toBe(0);
			expect(await count(db.pool, 'SELECT 1 FROM webhook_payloads WHERE id = $1', [payloadId])).toBe(1);
			await holder.query('COMMIT');
		} finally {
			holder.release();
		}
		expect((await sweeper.sweep()).webhook_payloads).toBe(1);
		expect(await count(db.pool, 'SELECT 1 FROM webhook_payloads WHERE id = $1', [payloadId])).toBe(0);
		expect(
			await count(db.pool, 'SELECT 1 FROM events WHERE dedupe_key = $1 AND payload_id IS NULL', [`held:${payloadId}`]),
		).toBe(1);
	});

	it('erasure still removes a contact’s raw payloads at once, not at the end of their retention', async () => {
		const from = '919876012345';
		expect(
			(await service.postMeta(inboundMessages([{ from, id: wamid(), text: 'hi', name: 'Asha Verma' }]))).status,
		).toBe(200);
		const mentioning = `SELECT 1 FROM webhook_payloads WHERE position(convert_to($1, 'UTF8') IN raw_body) > 0`;
		expect(await count(db.pool, mentioning, [from])).toBe(1);
		expect((await service.call(key, 'DELETE', `/api/v1/contacts/${from}`)).status).toBe(204);
		expect(await count(db.pool, mentioning, [from])).toBe(0);
		expect(
			await count(
				db.pool,
				`SELECT 1 FROM webhook_payloads WHERE position(convert_to('Asha Verma', 'UTF8') IN raw_body) > 0`,
			),
		).toBe(0);
	});
});

interface Received {
	headers: IncomingHttpHeaders;
	body: Buffer;
}

async function recordingSubscriber(): Promise<{ url: string; received: Received[]; server: Server }> {
	const received: Received[] = [];
	const server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			received.push({ headers: req.headers, body: Buffer.concat(chunks) });
			res.writeHead(200).end('ok');
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
	return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received, server };
}

function verdict(delivery: Received, secret: string): string {
	try {
		verify(delivery.body, delivery.headers, [secret]);
		return 'verified';
	} catch (error) {
		if (error instanceof WebhookVerificationError) return error.code;
		throw error;
	}
}

describe('signing secret rotation', () => {
	it('signs with the old and the new secret during the overlap, and only with the new one after it', async () => {
		const subscriber = await recordingSubscriber();
		try {
			const created = await service.call(key, 'POST', '/api/v1/subscriptions', {
				url: subscriber.url,
				event_types: ['whatsapp.message'],
			});
			const oldSecret: string = created.body.secret;
			const id: string = created.body.id;

			const rotated = await service.call(key, 'POST', `/api/v1/subscriptions/${id}/rotate-secret`, {
				overlap_seconds: 3600,
			});
			expect(rotated.status).toBe(200);
			expect(rotated.body).toEqual({
				id,
				secret: expect.stringMatching(/^whsec_/),
				previous_secret_expires_at: expect.any(String),
			});
			const newSecret: string = rotated.body.secret;
			expect(newSecret).not.toBe(oldSecret);
			const expiresIn = Date.parse(rotated.body.previous_secret_expires_at) - Date.now();
			expect(expiresIn).toBeGreaterThan(3500_000);
			expect(expiresIn).toBeLessThanOrEqual(3600_000);
			// Both secrets are stored sealed, never in clear.
			const stored = (
				await db.pool.query('SELECT secret_sealed, previous_secret_sealed FROM subscriptions WHERE id = $1', [id])
			).rows[0];
			expect([stored.secret_sealed, stored.previous_secret_sealed]).toEqual([
				expect.stringMatching(/^v1\.t1\./),
				expect.stringMatching(/^v1\.t1\./),
			]);
			expect(JSON.stringify(stored)).not.toContain(newSecret.slice(6, 26));
			expect(JSON.stringify(stored)).not.toContain(oldSecret.slice(6, 26));

			expect(
				(await service.postMeta(inboundMessages([{ from: '919812300001', id: wamid(), text: 'during' }]))).status,
			).toBe(200);
			await until('the delivery during the overlap', async () => subscriber.received.length === 1);
			const during = subscriber.received[0];
			expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2);
			expect([verdict(during, oldSecret), verdict(during, newSecret)]).toEqual(['verified', 'verified']);

			// The overlap ends (moved into the past rather than waiting an hour).
			await db.pool.query(
				`UPDATE subscriptions SET previous_secret_expires_at = now() - interval '1 second' WHERE id = $1`,
				[id],
			);
			expect(
				(await service.postMeta(inboundMessages([{ from: '919812300002', id: wamid(), text: 'after' }]))).status,
			).toBe(200);
			await until('the delivery after the overlap', async () => subscriber.received.length === 2);
			const after = subscriber.received[1];
			expect(String(after.headers['webhook-signature']).split(' ')).toHaveLength(1);
			expect([verdict(after, oldSecret), verdict(after, newSecret)]).toEqual(['no_matching_signature', 'verified']);
		} finally {
			subscriber.server.close();
			subscriber.server.closeAllConnections();
		}
	});

	it('answers 404 for another user’s or an unknown subscription and 422 for a bad overlap, changing nothing', async () => {
		const created = await service.call(key, 'POST', '/api/v1/subscriptions', {
			url: 'http://127.0.0.1:9/x',
			event_types: ['whatsapp.status'],
		});
		const other = (await userWithKey(db.pool, 'free', 'events')).key;
		const before = (await db.pool.query('SELECT secret_sealed FROM subscriptions WHERE id = $1', [created.body.id]))
			.rows[0].secret_sealed;
		const rotate = (apiKey: string, id: string, body: unknown) =>
			service.call(apiKey, 'POST', `/api/v1/subscriptions/${id}/rotate-secret`, body);
		expect((await rotate(other, created.body.id, {})).status).toBe(404);
		expect((await rotate(key, '00000000-0000-4000-8000-000000000000', {})).status).toBe(404);
		for (const overlap of [-1, 1.5, '3600', 8 * 24 * 3600]) {
			const res = await rotate(key, created.body.id, { overlap_seconds: overlap });
			expect(res.status).toBe(422);
			expect(JSON.stringify(res.body)).toContain('overlap_seconds');
		}
		expect(
			(await db.pool.query('SELECT secret_sealed FROM subscriptions WHERE id = $1', [created.body.id])).rows[0]
				.secret_sealed,
		).toBe(before);
		// The default overlap is 24 h.
		const rotated = await rotate(key, created.body.id, {});
		expect(rotated.status).toBe(200);
		expect(Date.parse(rotated.body.previous_secret_expires_at) - Date.now()).toBeGreaterThan(23.9 * 3600_000);
	});
});
