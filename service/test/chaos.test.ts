// Database and process faults under load, as an operator meets them: sessions terminated in rounds
// (pg_terminate_backend on every connection of the service), the Postgres postmaster SIGKILLed and
// restarted, the service itself SIGKILLed and restarted; then Meta-style redelivery of every request.
// The service runs as its own process (its real entry point) on a Postgres the test owns.
// Asserted, counted in the database: the process survives the database faults, /readyz recovers,
// every answer during faults is 2xx or 503 with Retry-After (never 500), every request answered 2xx
// is stored exactly once with its raw payload and exactly one outbox delivery, and every delivery
// reaches the subscriber.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import { createUser } from '../src/access/repository';
import { signMetaBody } from '../src/core/meta-signature';
import { signHeaders } from '../src/core/standard-webhooks';
import { createSecretBox, parseEncryptionKeys } from '../src/crypto/secret-box';
import { freePort, urlFor } from '../src/db/embedded';
import { migrate } from '../src/db/migrate';
import { webhookIdFor } from '../src/fanout/outbox';
import { createSubscription } from '../src/fanout/repository';
import { startCountingHook, type CountingHook } from './support/counting-hook';
import { statusBody } from './support/payloads';
import { PostgresChild } from './support/postgres';

const APP = 'tp-chaos-service'; // application_name of the service's connections
const META_SECRET = randomBytes(16).toString('hex');
const INGEST_SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const ENCRYPTION_KEYS = `c1:${randomBytes(32).toString('base64')}`;

interface Sent {
	kind: 'meta' | 'bundle';
	key: string; // wamid, or webhook-id of a bundle
	body: Buffer;
	answers: number[]; // status codes (0 = no answer: connection refused or cut)
	phase?: Phase; // when it was first sent
}

type Phase = 'steady' | 'terminations' | 'postmaster_crash' | 'service_crash';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, check: () => Promise<boolean> | boolean, limitMs = 20_000): Promise<void> {
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

/** The end of the service process's stderr (shown when it exits unexpectedly). */
let serviceStderr = '';

/** The service's real entry point in a child process; SIGKILL-able. */
function startServiceProcess(env: Record<string, string>): ChildProcess {
	const child = spawn(process.execPath, [join(__dirname, 'support', 'service-child.js')], {
		env: { ...process.env, ...env },
		stdio: ['ignore', 'ignore', 'pipe'],
	});
	child.stderr?.on('data', (chunk: Buffer) => (serviceStderr = (serviceStderr + chunk.toString()).slice(-4000)));
	return child;
}

describe('faults under load', () => {
	let parent: string;
	let pg: PostgresChild;
	let pool: Pool;
	let admin: Client;
	let service: ChildProcess;
	let serviceEnv: Record<string, string>;
	let baseUrl: string;
	let hook: CountingHook;
	let pgPort: number;

	beforeAll(async () => {
		parent = mkdtempSync(join(tmpdir(), 'tp-chaos-'));
		pgPort = await freePort();
		pg = await PostgresChild.start(join(parent, 'data'), pgPort);
		admin = new Client({ connectionString: urlFor(pgPort, 'postgres') });
		admin.on('error', () => undefined);
		await admin.connect();
		await admin.query('CREATE DATABASE chaos');
		pool = new Pool({ connectionString: urlFor(pgPort, 'chaos'), max: 4, connectionTimeoutMillis: 2000 });
		pool.on('error', () => undefined);
		await migrate(pool);

		hook = await startCountingHook();
		const user = await createUser(pool, `chaos-${randomBytes(4).toString('hex')}@example.com`, 'pro');
		const box = createSecretBox(parseEncryptionKeys(ENCRYPTION_KEYS));
		await createSubscription(pool, box, user.id, {
			url: hook.url,
			event_types: ['whatsapp.status', 'library.bundle_ingested'],
		});

		const port = await freePort();
		baseUrl = `http://127.0.0.1:${port}`;
		serviceEnv = {
			PORT: String(port),
			HOST: '127.0.0.1',
			DATABASE_URL: `${urlFor(pgPort, 'chaos')}?application_name=${APP}`,
			LOG_LEVEL: 'silent',
			META_APP_SECRETS: META_SECRET,
			META_VERIFY_TOKEN: randomBytes(12).toString('hex'),
			INGEST_SIGNING_SECRETS: INGEST_SECRET,
			INGEST_RATE_LIMIT_PER_MINUTE: '100000',
			ENCRYPTION_KEYS,
			FANOUT_POLL_INTERVAL: '200ms',
		};
		service = startServiceProcess(serviceEnv);
		await until('the service is ready', async () => (await fetch(`${baseUrl}/readyz`)).status === 200, 30_000);
	}, 90_000);

	afterAll(async () => {
		if (service && service.exitCode === null) service.kill('SIGKILL');
		await hook?.close();
		await admin?.end().catch(() => undefined);
		await pool?.end().catch(() => undefined);
		await pg?.exit();
		rmSync(parent, { recursive: true, force: true });
	});

	/** Sends one request as Meta (or the bundle sender) would; records the answer. */
	async function send(item: Sent): Promise<number> {
		const headers: Record<string, string> =
			item.kind === 'meta'
				? { 'content-type': 'application/json', 'x-hub-signature-256': signMetaBody(item.body, META_SECRET) }
				: {
						'content-type': 'application/json',
						...signHeaders([INGEST_SECRET], item.key, Math.floor(Date.now() / 1000), item.body),
					};
		const path = item.kind === 'meta' ? '/webhooks/meta' : '/api/v1/ingest-bundle';
		let status = 0;
		let retryAfter: string | null = null;
		try {
			const res = await fetch(`${baseUrl}${path}`, {
				method: 'POST',
				headers,
				body: item.body,
				signal: AbortSignal.timeout(10_000),
			});
			await res.arrayBuffer();
			status = res.status;
			retryAfter = res.headers.get('retry-after');
		} catch {
			status = 0; // refused or cut off (the service process was killed)
		}
		item.answers.push(status === 503 && !retryAfter ? -503 : status); // -503: a 503 without Retry-After
		return status;
	}

	function newItem(n: number): Sent {
		if (n % 10 === 9) {
			const key = `msg_chaos_${randomBytes(8).toString('hex')}`;
			const body = Buffer.from(
				JSON.stringify({
					bundle_id: key,
					assets: [{ slug: `chaos-${key}`, type: 'prompt', title: 'Chaos', content: 'text', tags: [] }],
				}),
			);
			return { kind: 'bundle', key, body, answers: [] };
		}
		const key = `wamid.chaos.${randomBytes(8).toString('hex')}`;
		return { kind: 'meta', key, body: statusBody(key), answers: [] };
	}

	/** Per request, counted in the database: events, raw payloads (bytes intact), deliveries. */
	async function storage(items: Sent[]): Promise<Array<{ key: string; events: number; once: boolean }>> {
		const metas = items.filter((s) => s.kind === 'meta');
		const { rows: metaRows } = await pool.query<{
			key: string;
			events: number;
			payloads: number;
			raw_ok: boolean;
			deliveries: number;
		}>(
			`SELECT w.wamid AS key,
			   (SELECT count(*) FROM events e WHERE e.type = 'whatsapp.status' AND e.payload->>'wamid' = w.wamid)::int AS events,
			   (SELECT count(*) FROM webhook_payloads p WHERE p.body_sha256 = w.sha)::int AS payloads,
			   EXISTS (SELECT 1 FROM events e JOIN webhook_payloads p ON p.id = e.payload_id
			           WHERE e.payload->>'wamid' = w.wamid AND p.raw_body = w.raw) AS raw_ok,
			   (SELECT count(*) FROM deliveries d JOIN events e ON e.id = d.event_id WHERE e.payload->>'wamid' = w.wamid)::int AS deliveries
			 FROM unnest($1::text[], $2::bytea[], $3::bytea[]) AS w(wamid, sha, raw)`,
			[
				metas.map((s) => s.key),
				metas.map((s) => createHash('sha256').update(s.body).digest()),
				metas.map((s) => s.body),
			],
		);
		const bundles = items.filter((s) => s.kind === 'bundle');
		const { rows: bundleRows } = await pool.query<{
			key: string;
			requests: number;
			events: number;
			deliveries: number;
		}>(
			`SELECT w.id AS key,
			   (SELECT count(*) FROM ingest_requests r WHERE r.webhook_id = w.id AND r.status_code = 200)::int AS requests,
			   (SELECT count(*) FROM events e WHERE e.dedupe_key = 'ingest:' || w.id)::int AS events,
			   (SELECT count(*) FROM deliveries d JOIN events e ON e.id = d.event_id WHERE e.dedupe_key = 'ingest:' || w.id)::int AS deliveries
			 FROM unnest($1::text[]) AS w(id)`,
			[bundles.map((s) => s.key)],
		);
		return [
			...metaRows.map((r) => ({
				key: r.key,
				events: r.events,
				once: r.events === 1 && r.payloads === 1 && r.raw_ok && r.deliveries === 1,
			})),
			...bundleRows.map((r) => ({
				key: r.key,
				events: r.events,
				once: r.requests === 1 && r.events === 1 && r.deliveries === 1,
			})),
		];
	}

	it('keeps serving through session kills, a postmaster crash and a service crash; nothing answered 2xx is lost or duplicated', async () => {
		const sent: Sent[] = [];
		let running = true;
		let phase: Phase = 'steady';
		const okCount = () => sent.filter((s) => s.answers.some((a) => a >= 200 && a < 300)).length;
		const load = Array.from({ length: 10 }, async () => {
			while (running && sent.length < 3000) {
				const item = { ...newItem(sent.length), phase };
				sent.push(item);
				// Like Meta, back off a little when the service does not answer at all.
				await sleep((await send(item)) === 0 ? 500 : 80);
			}
		});
		const moreOk = async (what: string, n: number) => {
			const target = okCount() + n;
			const end = Date.now() + 20_000;
			while (okCount() < target) {
				if (service.exitCode !== null || service.signalCode !== null) {
					throw new Error(
						`the service process exited (${service.exitCode ?? service.signalCode}) before: ${what}\n${serviceStderr}`,
					);
				}
				if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
				await sleep(50);
			}
		};
		const serviceSessions = async () =>
			(
				await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [APP])
			).rows.map((r) => r.pid);
		const listening = async () =>
			((
				await admin.query("SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND query ILIKE 'LISTEN%'", [APP])
			).rowCount ?? 0) > 0;
		let rounds = 0;
		let terminated = 0;
		let restartedAt = new Date(0);
		try {
			await moreOk('load under way', 30);
			// (a) Sessions terminated in rounds, all of the service's connections each time.
			phase = 'terminations';
			// A round is a short burst, so that some terminations land in the middle of a transaction.
			for (let round = 0; round < 6; round++) {
				for (let burst = 0; burst < 5; burst++) {
					const pids = await serviceSessions();
					const { rows } = await admin.query<{ ok: boolean }>(
						'SELECT pg_terminate_backend(pid) AS ok FROM unnest($1::int[]) AS pid',
						[pids],
					);
					terminated += rows.filter((r) => r.ok).length;
					await sleep(15);
				}
				rounds++;
				await moreOk(`2xx again after termination round ${round + 1}`, 10);
			}
			expect(service.exitCode).toBeNull();
			// The fan-out worker listens again (its LISTEN connection was among those terminated).
			await until('the fan-out worker listens again', listening);

			// (b) The postmaster SIGKILLed under load, then restarted (crash recovery).
			phase = 'postmaster_crash';
			await pg.command('kill', 'killed');
			await sleep(500);
			await pg.command('start', 'started', 30_000);
			await admin.end().catch(() => undefined);
			admin = new Client({ connectionString: urlFor(pgPort, 'postgres') });
			admin.on('error', () => undefined);
			await admin.connect();
			await until('/readyz after the postmaster crash', async () => (await fetch(`${baseUrl}/readyz`)).status === 200);
			await moreOk('2xx again after the postmaster crash', 20);
			expect(service.exitCode).toBeNull();
			await until('the fan-out worker listens again after the crash', listening);

			// (c) The service process SIGKILLed under load, then started again.
			phase = 'service_crash';
			const killed = new Promise((resolve) => service.once('exit', resolve));
			service.kill('SIGKILL');
			await killed;
			await sleep(300);
			restartedAt = (await admin.query<{ now: Date }>('SELECT now()')).rows[0].now;
			service = startServiceProcess(serviceEnv);
			await until(
				'/readyz after the service crash',
				async () => (await fetch(`${baseUrl}/readyz`)).status === 200,
				30_000,
			);
			await moreOk('2xx again after the service crash', 20);
		} finally {
			running = false;
			await Promise.allSettled(load);
		}

		// Nothing acknowledged was lost: every request answered 2xx so far is already stored, exactly once.
		const acknowledged = sent.filter((s) => s.answers.some((a) => a >= 200 && a < 300));
		expect((await storage(acknowledged)).filter((r) => !r.once)).toEqual([]);

		// Meta-style redelivery of every request, byte for byte, until it is answered 2xx.
		const firstAnswers = sent.map((s) => s.answers[0]);
		const redeliver = async (item: Sent) => {
			for (let attempt = 0; attempt < 10; attempt++) {
				const status = await send(item);
				if (status >= 200 && status < 300) return;
				await sleep(200);
			}
		};
		for (let i = 0; i < sent.length; i += 10) await Promise.all(sent.slice(i, i + 10).map(redeliver));

		const answered2xx = sent.filter((s) => s.answers.some((a) => a >= 200 && a < 300));
		const figures = {
			requests: sent.length,
			first_2xx: firstAnswers.filter((a) => a >= 200 && a < 300).length,
			first_503: firstAnswers.filter((a) => a === 503).length,
			no_answer: firstAnswers.filter((a) => a === 0).length,
			first_503_by_phase: Object.fromEntries(
				(['terminations', 'postmaster_crash', 'service_crash'] as const).map((p) => [
					p,
					sent.filter((s) => s.phase === p && s.answers[0] === 503).length,
				]),
			),
			termination_rounds: rounds,
			sessions_terminated: terminated,
			redelivered: sent.length,
		};

		// Every answer the service gave was a 2xx or a 503 with Retry-After: never a 500.
		const codes = new Set(sent.flatMap((s) => s.answers).filter((a) => a !== 0));
		expect([...codes].filter((c) => !(c >= 200 && c < 300) && c !== 503)).toEqual([]);
		expect(figures.first_503).toBeGreaterThan(0); // the faults were felt
		// After redelivery every request has been acknowledged.
		expect(answered2xx.length).toBe(sent.length);

		const counted = await storage(sent);
		const notOnce = counted.filter((r) => !r.once);
		const missing = counted.filter((r) => r.events === 0).length;
		const duplicates = counted.filter((r) => r.events > 1).length;
		console.log(
			`chaos figures: ${JSON.stringify({ ...figures, acknowledged_before_redelivery: acknowledged.length, stored_exactly_once: counted.length - notOnce.length, duplicates, missing })}`,
		);
		expect(counted.length).toBe(sent.length);
		expect(notOnce).toEqual([]);

		// Every outbox delivery reaches the subscriber.
		// Deliveries the killed instance had leased come back when their lease runs out (60 s): move
		// that moment to now, as the clock would. Only leases taken before the restart are moved.
		await pool.query(
			"UPDATE deliveries SET next_attempt_at = now() WHERE status = 'pending' AND last_attempt_at < $1",
			[restartedAt],
		);
		await until(
			'every delivery succeeded',
			async () => (await pool.query("SELECT 1 FROM deliveries WHERE status <> 'succeeded' LIMIT 1")).rowCount === 0,
			20_000,
		);
		const { rows: ids } = await pool.query<{ dedupe_key: string }>(
			'SELECT e.dedupe_key FROM deliveries d JOIN events e ON e.id = d.event_id',
		);
		expect(ids.length).toBe(sent.length);
		expect(ids.filter((row) => !hook.received.has(webhookIdFor(row.dedupe_key)))).toEqual([]);
		expect(service.exitCode).toBeNull();
	}, 120_000);
});
