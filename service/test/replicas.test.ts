// Two service replicas on one database, each its own process (the real entry point), as a business
// runs them behind a load balancer. What must hold across both, counted in the database or at the
// receiving end:
//   - the shared send budget of a phone number: leases from both never put more than the rate's
//     permits in any 1 s window, and two campaigns split the rate fairly;
//   - pair-rate slots of one recipient are spaced, whichever replica reserved them;
//   - fan-out deliveries are leased once (FOR UPDATE SKIP LOCKED): every event reaches the subscriber
//     once, and a delivery one worker holds is skipped, not waited for, by the other;
//   - the ingest rate limit is exact under concurrent requests to both.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Pool } from 'pg';
import type { TestDatabase } from '../../test/helpers/postgres';
import { maxInAnyWindow } from '../../test/helpers/windows';
import { parseScopes } from '../src/access/api-keys';
import { createApiKey, createUser } from '../src/access/repository';
import { signMetaBody } from '../src/core/meta-signature';
import { signHeaders } from '../src/core/standard-webhooks';
import { createSecretBox, parseEncryptionKeys } from '../src/crypto/secret-box';
import { freePort } from '../src/db/embedded';
import { leaseDue } from '../src/fanout/deliveries';
import { createSubscription } from '../src/fanout/repository';
import { migratedDatabase } from './helpers';
import { startCountingHook, type CountingHook } from './support/counting-hook';
import { statusBody } from './support/payloads';

jest.setTimeout(120_000);

const META_SECRET = randomBytes(16).toString('hex');
const INGEST_SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const ENCRYPTION_KEYS = `r1:${randomBytes(32).toString('base64')}`;
const INGEST_LIMIT = 10;
const PHONE = '106540352242922';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, check: () => Promise<boolean> | boolean, limitMs = 30_000): Promise<void> {
	const end = Date.now() + limitMs;
	while (
		!(await Promise.resolve()
			.then(check)
			.catch(() => false))
	) {
		if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
		await sleep(50);
	}
}

interface Replica {
	url: string;
	process: ChildProcess;
	stderr: string;
}

async function startReplica(databaseUrl: string, name: string): Promise<Replica> {
	const port = await freePort();
	const env = {
		PORT: String(port),
		HOST: '127.0.0.1',
		DATABASE_URL: `${databaseUrl}?application_name=${name}`,
		LOG_LEVEL: 'silent',
		META_APP_SECRETS: META_SECRET,
		META_VERIFY_TOKEN: randomBytes(12).toString('hex'),
		INGEST_SIGNING_SECRETS: INGEST_SECRET,
		INGEST_RATE_LIMIT_PER_MINUTE: String(INGEST_LIMIT),
		ENCRYPTION_KEYS,
		FANOUT_POLL_INTERVAL: '100ms',
	};
	const child = spawn(process.execPath, [join(__dirname, 'support', 'service-child.js')], {
		env: { ...process.env, ...env },
		stdio: ['ignore', 'ignore', 'pipe'],
	});
	const replica: Replica = { url: `http://127.0.0.1:${port}`, process: child, stderr: '' };
	child.stderr?.on('data', (chunk: Buffer) => (replica.stderr = (replica.stderr + chunk.toString()).slice(-4000)));
	return replica;
}

describe('two service replicas on one database', () => {
	let db: TestDatabase;
	let replicas: Replica[];
	let key: string;
	let userId: string;

	beforeAll(async () => {
		db = await migratedDatabase('replicas');
		const user = await createUser(db.pool, `replicas-${randomBytes(4).toString('hex')}@example.com`, 'pro');
		userId = user.id;
		key = (await createApiKey(db.pool, user.id, parseScopes('send-budget,events'))).key;
		replicas = [await startReplica(db.url, 'tp-replica-a'), await startReplica(db.url, 'tp-replica-b')];
		for (const r of replicas)
			await until(`replica ${r.url} ready`, async () => (await fetch(`${r.url}/readyz`)).status === 200, 60_000);
	}, 120_000);

	afterAll(async () => {
		for (const r of replicas ?? []) if (r.process.exitCode === null) r.process.kill('SIGTERM');
		await Promise.all(
			(replicas ?? []).map((r) =>
				r.process.exitCode === null ? new Promise((resolve) => r.process.once('exit', resolve)) : undefined,
			),
		);
		await db?.drop();
	});

	const post = async (replica: Replica, path: string, body: unknown) => {
		const res = await fetch(`${replica.url}${path}`, {
			method: 'POST',
			headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
			body: JSON.stringify(body),
		});
		return { status: res.status, body: (await res.json()) as any };
	};

	it('send budget: leases from both never exceed the rate in any 1 s window; two campaigns split it fairly', async () => {
		const rate = 40;
		const grants: Array<{ campaign: string; at: number }> = [];
		const statuses: number[] = [];
		// Each campaign sends through both replicas at once (two senders each), as two n8n workers would:
		// ask for 10 permits while holding less than the share, wait retry_after_ms when refused.
		const sender = async (campaign: string, replica: Replica, untilMs: number) => {
			while (Date.now() < untilMs) {
				const lease = await post(replica, `/api/v1/send-budget/${PHONE}/lease`, {
					want: 10,
					rate_per_second: rate,
					campaign,
				});
				statuses.push(lease.status);
				if (lease.status !== 200) return;
				const first = Date.parse(lease.body.not_before);
				for (let k = 0; k < lease.body.granted; k++) grants.push({ campaign, at: first + k * lease.body.interval_ms });
				if (lease.body.granted === 0) await sleep(lease.body.retry_after_ms);
				else if (lease.body.held_ahead >= lease.body.share_ahead) await sleep(lease.body.interval_ms);
			}
		};
		const end = Date.now() + 4000;
		await Promise.all([
			sender('A', replicas[0], end),
			sender('A', replicas[1], end),
			sender('B', replicas[0], end),
			sender('B', replicas[1], end),
		]);
		expect(new Set(statuses)).toEqual(new Set([200]));
		const max = maxInAnyWindow(
			grants.map((g) => g.at),
			1000,
		);
		const a = grants.filter((g) => g.campaign === 'A').length;
		const b = grants.filter((g) => g.campaign === 'B').length;
		console.log(
			`send budget across 2 replicas: rate ${rate}/s, max permits in any 1 s window ${max}, campaign A ${a}, campaign B ${b}`,
		);
		expect(max).toBeLessThanOrEqual(rate);
		expect(a + b).toBeGreaterThan(rate); // more than one second's worth: the limit was really contended
		expect(Math.min(a, b) / (a + b)).toBeGreaterThanOrEqual(0.4);
	});

	it("pair rate: one recipient's slots reserved through both replicas at once are spaced", async () => {
		const recipients = ['919800000001', '919800000002', '919800000001'];
		const answers = await Promise.all(
			Array.from({ length: 6 }, (_, i) =>
				post(replicas[i % 2], `/api/v1/send-budget/${PHONE}/pairs`, { recipients, spacing_seconds: 6 }),
			),
		);
		expect(answers.map((a) => a.status)).toEqual(Array(6).fill(200));
		const slots = new Map<string, number[]>();
		for (const a of answers)
			for (const s of a.body.data)
				slots.set(s.recipient, [...(slots.get(s.recipient) ?? []), Date.parse(s.not_before)]);
		expect(slots.get('919800000001')).toHaveLength(12);
		for (const times of slots.values()) {
			const sorted = [...times].sort((x, y) => x - y);
			for (let i = 1; i < sorted.length; i++) expect(sorted[i] - sorted[i - 1]).toBeGreaterThanOrEqual(5999); // ms (rounded down)
		}
	});

	describe('fan-out', () => {
		let hook: CountingHook;

		beforeAll(async () => {
			hook = await startCountingHook();
			await createSubscription(db.pool, createSecretBox(parseEncryptionKeys(ENCRYPTION_KEYS)), userId, {
				url: hook.url,
				event_types: ['whatsapp.status'],
			});
		});
		afterAll(async () => {
			await hook?.close();
		});

		it('every delivery is sent once though both replicas run a delivery worker', async () => {
			const bodies = Array.from({ length: 60 }, (_, i) =>
				statusBody(`wamid.replica${i}-${randomBytes(6).toString('hex')}`),
			);
			const answers = await Promise.all(
				bodies.map((body, i) =>
					fetch(`${replicas[i % 2].url}/webhooks/meta`, {
						method: 'POST',
						headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMetaBody(body, META_SECRET) },
						body,
					}).then((r) => r.status),
				),
			);
			expect(answers).toEqual(Array(60).fill(200));
			await until('60 deliveries received', () => hook.received.size === 60);
			await until(
				'60 deliveries recorded as succeeded',
				async () =>
					(await db.pool.query(`SELECT count(*)::int AS n FROM deliveries WHERE status = 'succeeded'`)).rows[0].n ===
					60,
			);
			await sleep(300); // a second send, if any, would arrive now
			expect([...hook.received.values()].every((n) => n === 1)).toBe(true);
			expect(hook.received.size).toBe(60);
		});
	});

	it(`ingest rate limit is exact across both: ${INGEST_LIMIT} bundles per minute per key, concurrent requests`, async () => {
		const msLeft = 60_000 - (Date.now() % 60_000);
		if (msLeft < 5_000) await sleep(msLeft + 50);
		const statuses = await Promise.all(
			Array.from({ length: INGEST_LIMIT + 6 }, (_, i) => {
				const body = JSON.stringify({
					bundle_id: `replica-${i}`,
					assets: [{ slug: `replica-${i}`, type: 'prompt', title: `T ${i}`, content: 'c', tags: [] }],
				});
				const headers = {
					'content-type': 'application/json',
					...signHeaders([INGEST_SECRET], `msg_replica_${i}`, Math.floor(Date.now() / 1000), body),
				};
				return fetch(`${replicas[i % 2].url}/api/v1/ingest-bundle`, { method: 'POST', headers, body }).then(
					(r) => r.status,
				);
			}),
		);
		expect(statuses.filter((s) => s === 200)).toHaveLength(INGEST_LIMIT);
		expect(statuses.filter((s) => s === 429)).toHaveLength(6);
		expect(
			(await db.pool.query(`SELECT count(*)::int AS n FROM library_assets WHERE slug LIKE 'replica-%'`)).rows[0].n,
		).toBe(INGEST_LIMIT);
	});
});

// The lease itself, without the replicas' own workers racing for the rows: two workers (two pools, as
// two processes have) on a database of their own.
describe('fan-out lease (FOR UPDATE SKIP LOCKED)', () => {
	it('a delivery one worker has locked is skipped by the other, not waited for, and leased once', async () => {
		const db = await migratedDatabase('replicas_skip');
		const workerA = new Pool({ connectionString: db.url, max: 1 });
		const workerB = new Pool({ connectionString: db.url, max: 1 });
		try {
			const user = await createUser(db.pool, `skip-${randomBytes(4).toString('hex')}@example.com`, 'pro');
			const sub = await createSubscription(db.pool, createSecretBox(parseEncryptionKeys(ENCRYPTION_KEYS)), user.id, {
				url: 'http://127.0.0.1:9/hook',
				event_types: ['*'],
			});
			const { rows } = await db.pool.query<{ id: string }>(
				`WITH e AS (
				   INSERT INTO events (type, dedupe_key, occurred_at, payload)
				   SELECT 'whatsapp.status', 'skip-' || i, now(), '{}'::jsonb FROM generate_series(1, 3) i RETURNING id
				 )
				 INSERT INTO deliveries (subscription_id, event_id, event_type, next_attempt_at)
				 SELECT $1, e.id, 'whatsapp.status', now() - interval '1 hour' FROM e ORDER BY e.id RETURNING id`,
				[sub.id],
			);
			const holder = await workerA.connect();
			try {
				await holder.query('BEGIN');
				await holder.query('SELECT id FROM deliveries WHERE id = $1 FOR UPDATE', [rows[0].id]);
				// Worker B leases while A holds one row: it gets the other two at once (a plain FOR UPDATE would block here).
				await workerB.query(`SET statement_timeout = '5s'`);
				const leasedByB = await leaseDue(workerB, 10, 60_000);
				expect(leasedByB.map((d) => d.id).sort()).toEqual([rows[1].id, rows[2].id].sort());
				await holder.query('ROLLBACK');
			} finally {
				holder.release();
			}
			// Once A lets go, the last one is leased — once: B's leases are no longer due.
			expect((await leaseDue(workerA, 10, 60_000)).map((d) => d.id)).toEqual([rows[0].id]);
			expect(await leaseDue(workerB, 10, 60_000)).toEqual([]);
		} finally {
			await workerA.end();
			await workerB.end();
			await db.drop();
		}
	});
});
