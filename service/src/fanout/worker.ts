// The fan-out worker: leases due deliveries from the shared outbox (FOR UPDATE SKIP LOCKED; several
// service instances run one each), POSTs them signed with Standard Webhooks headers, and records the
// outcome: 2xx → succeeded; anything else → next attempt on the retry schedule, or dead letter.
// Woken by NOTIFY on commit of new deliveries (low latency), and by a poll timer (retries coming due,
// leases of a crashed instance running out).
import type { Pool, PoolClient } from 'pg';
import { signHeaders } from '../core/standard-webhooks';
import type { SecretBox } from '../crypto/secret-box';
import { postJson, PostError } from './http-post';
import { FANOUT_CHANNEL, webhookIdFor } from './outbox';
import { nextAttempt } from './retry-schedule';

export interface FanoutWorkerOptions {
	pool: Pool;
	box: SecretBox;
	/** Delays in ms (see retry-schedule.ts); its length is the number of attempts. */
	schedule: readonly number[];
	concurrency?: number;
	requestTimeoutMs?: number;
	pollIntervalMs?: number;
	/** How long a leased delivery is hidden from other workers; must exceed the request timeout. */
	leaseMs?: number;
	log?: (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
	/** Called after each attempt (metrics). */
	onAttempt?: (outcome: { ok: boolean; statusCode: number | null; durationMs: number; eventType: string }) => void;
	random?: () => number;
}

interface Leased {
	id: string;
	attempts: number;
	url: string;
	secret_sealed: string;
	/** The replaced secret while its rotation overlap lasts (it signs too), else null. */
	previous_secret_sealed: string | null;
	event_type: string;
	dedupe_key: string;
	occurred_at: Date;
	payload: unknown;
}

export interface FanoutWorker {
	start(): Promise<void>;
	stop(): Promise<void>;
	/** Looks for due deliveries now (tests, and after a replay in the same process). */
	kick(): void;
}

const USER_AGENT = 'TiltedPrompts-Webhooks/1.0';

export function createFanoutWorker(options: FanoutWorkerOptions): FanoutWorker {
	const concurrency = options.concurrency ?? 32;
	const timeoutMs = options.requestTimeoutMs ?? 10_000;
	const pollMs = options.pollIntervalMs ?? 1_000;
	const leaseMs = Math.max(options.leaseMs ?? 60_000, timeoutMs + 5_000);
	const log = options.log ?? (() => undefined);
	// Decrypted signing secrets by sealed value (a sealed value always opens to the same secret).
	const secrets = new Map<string, string>();
	const openSecret = (sealed: string): string => {
		let secret = secrets.get(sealed);
		if (secret === undefined) {
			secret = options.box.open(sealed);
			if (secrets.size > 10_000) secrets.clear();
			secrets.set(sealed, secret);
		}
		return secret;
	};
	let running = false;
	let inFlight = 0;
	let pumping = false;
	let again = false;
	let timer: NodeJS.Timeout | undefined;
	let listener: { client: PoolClient; close(): Promise<void> } | undefined;
	// Bumped by every start(): a LISTEN set up for an earlier start is closed, never kept beside a newer one.
	let generation = 0;
	const pending = new Set<Promise<void>>();

	async function lease(limit: number): Promise<Leased[]> {
		const { rows } = await options.pool.query<Leased>(
			`WITH due AS (
			   SELECT id FROM deliveries WHERE status = 'pending' AND next_attempt_at <= now()
			   ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED
			 )
			 UPDATE deliveries d SET attempts = d.attempts + 1, last_attempt_at = now(),
			   next_attempt_at = now() + make_interval(secs => $2::double precision / 1000)
			 FROM due, subscriptions s, events e
			 WHERE d.id = due.id AND s.id = d.subscription_id AND e.id = d.event_id
			 RETURNING d.id, d.attempts, s.url, s.secret_sealed, d.event_type, e.dedupe_key, e.occurred_at, e.payload,
			   CASE WHEN s.previous_secret_expires_at > now() THEN s.previous_secret_sealed END AS previous_secret_sealed`,
			[limit, leaseMs],
		);
		return rows;
	}

	async function deliver(row: Leased): Promise<void> {
		const started = performance.now();
		let statusCode: number | null = null;
		let error: string | null = null;
		try {
			const body = JSON.stringify({ type: row.event_type, timestamp: new Date(row.occurred_at).toISOString(), data: row.payload });
			const secrets = [row.secret_sealed, row.previous_secret_sealed].flatMap((sealed) => (sealed ? [openSecret(sealed)] : []));
			const headers = signHeaders(secrets, webhookIdFor(row.dedupe_key), Math.floor(Date.now() / 1000), body);
			statusCode = await postJson(row.url, { 'content-type': 'application/json', 'user-agent': USER_AGENT, ...headers }, body, timeoutMs);
			if (statusCode < 200 || statusCode >= 300) error = `HTTP ${statusCode}`;
		} catch (caught) {
			error = caught instanceof PostError ? caught.message : `delivery failed: ${(caught as Error).message}`;
		}
		const ok = error === null;
		options.onAttempt?.({ ok, statusCode, durationMs: performance.now() - started, eventType: row.event_type });
		if (ok) return record({ id: row.id, attempts: row.attempts, status: 'succeeded', statusCode, error: null, delayMs: 0 });
		const next = nextAttempt(options.schedule, row.attempts, options.random);
		if (next.kind === 'dead') {
			log('warn', 'delivery dead-lettered', { delivery_id: row.id, attempts: row.attempts, status_code: statusCode });
			return record({ id: row.id, attempts: row.attempts, status: 'dead', statusCode, error, delayMs: 0 });
		}
		await record({ id: row.id, attempts: row.attempts, status: 'pending', statusCode, error, delayMs: next.delayMs });
		if (next.delayMs === 0) kick();
	}

	// Outcomes are written in groups: one UPDATE for every attempt that finished meanwhile. The guard
	// (same attempt number, still pending) ignores an outcome whose lease another worker took over.
	interface Outcome {
		id: string;
		attempts: number;
		status: 'succeeded' | 'dead' | 'pending';
		statusCode: number | null;
		error: string | null;
		delayMs: number;
		done?: () => void;
		fail?: (error: unknown) => void;
	}
	const outcomes: Outcome[] = [];
	let flushing = false;

	function record(outcome: Outcome): Promise<void> {
		return new Promise((resolve, reject) => {
			outcomes.push({ ...outcome, done: resolve, fail: reject });
			void flush();
		});
	}

	async function flush(): Promise<void> {
		if (flushing) return;
		flushing = true;
		try {
			while (outcomes.length > 0) {
				const batch = outcomes.splice(0, 500);
				try {
					await options.pool.query(
						`UPDATE deliveries d SET
						   status = u.status,
						   succeeded_at = CASE WHEN u.status = 'succeeded' THEN now() ELSE d.succeeded_at END,
						   next_attempt_at = CASE WHEN u.status = 'pending' THEN now() + make_interval(secs => u.delay_ms / 1000) ELSE d.next_attempt_at END,
						   last_status_code = u.code,
						   last_error = u.error
						 FROM unnest($1::uuid[], $2::int[], $3::text[], $4::int[], $5::text[], $6::float8[]) AS u (id, attempts, status, code, error, delay_ms)
						 WHERE d.id = u.id AND d.attempts = u.attempts AND d.status = 'pending'`,
						[
							batch.map((o) => o.id),
							batch.map((o) => o.attempts),
							batch.map((o) => o.status),
							batch.map((o) => o.statusCode),
							batch.map((o) => o.error),
							batch.map((o) => o.delayMs),
						],
					);
					for (const o of batch) o.done!();
				} catch (error) {
					for (const o of batch) o.fail!(error);
				}
			}
		} finally {
			flushing = false;
		}
	}

	async function pump(): Promise<void> {
		if (pumping) {
			again = true;
			return;
		}
		pumping = true;
		try {
			do {
				again = false;
				const free = concurrency - inFlight;
				if (!running || free <= 0) break;
				const rows = await lease(free);
				for (const row of rows) {
					inFlight++;
					const p: Promise<void> = deliver(row)
						.catch((error: unknown) => log('error', 'delivery bookkeeping failed', { delivery_id: row.id, error: (error as Error).message }))
						.finally(() => {
							inFlight--;
							pending.delete(p);
							if (running) kick();
						});
					pending.add(p);
				}
				if (rows.length === free) again = true;
			} while (again && running);
		} catch (error) {
			log('error', 'fan-out lease failed', { error: (error as Error).message });
		} finally {
			pumping = false;
		}
	}

	function kick(): void {
		if (running) void pump();
	}

	async function listen(): Promise<void> {
		const startedAs = generation;
		let client: PoolClient | undefined;
		try {
			client = await options.pool.connect();
			const mine = client;
			let released = false;
			const onNotification = () => kick();
			const onError = () => {
				// The connection broke (database restart): drop it and listen again; polling covers the gap.
				if (released) return;
				released = true;
				mine.off('notification', onNotification);
				mine.release(true);
				if (listener?.client === mine) listener = undefined;
				if (running && generation === startedAs) setTimeout(() => void listen(), 1_000).unref();
			};
			mine.on('notification', onNotification);
			mine.on('error', onError);
			await mine.query(`LISTEN ${FANOUT_CHANNEL}`);
			const ready = {
				client: mine,
				async close() {
					if (released) return;
					released = true;
					await mine.query(`UNLISTEN ${FANOUT_CHANNEL}`).catch(() => undefined);
					mine.off('notification', onNotification);
					mine.off('error', onError);
					mine.release();
				},
			};
			// Stopped (or stopped and started again) while LISTEN was being set up: this one is not wanted.
			if (running && generation === startedAs) listener = ready;
			else await ready.close();
		} catch (error) {
			log('warn', 'fan-out LISTEN failed; polling only', { error: (error as Error).message });
			if (running && generation === startedAs) setTimeout(() => void listen(), pollMs * 5).unref();
		}
	}

	return {
		async start() {
			if (running) return;
			running = true;
			generation += 1;
			await listen();
			timer = setInterval(kick, pollMs);
			timer.unref();
			kick();
		},
		async stop() {
			running = false;
			if (timer) clearInterval(timer);
			while (pumping) await new Promise((r) => setTimeout(r, 5));
			await Promise.allSettled([...pending]);
			if (listener) {
				const current = listener;
				listener = undefined;
				await current.close();
			}
		},
		kick,
	};
}
