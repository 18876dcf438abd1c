// The fan-out worker: leases due deliveries from the shared outbox (deliveries.ts), POSTs them
// signed with Standard Webhooks headers and records the outcome (attempt.ts decides it: succeeded,
// retry later, or dead letter). Woken by NOTIFY on commit of new deliveries (listener.ts; low
// latency), and by a poll timer (retries coming due, leases of a crashed instance running out, and
// whatever happened while the database was away).
import type { Pool } from 'pg';
import type { SecretBox } from '../crypto/secret-box';
import { attemptOutcome, deliveryRequest, type AttemptResult } from './attempt';
import { leaseDue, outcomeRecorder, type Leased } from './deliveries';
import { postJson, PostError } from './http-post';
import { startListener, type Listener } from './listener';
import { FANOUT_CHANNEL } from './outbox';

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
	/** Lease and record with named prepared statements (DATABASE_PREPARED_STATEMENTS; default true). */
	preparedStatements?: boolean;
	/** Called after each attempt (metrics). */
	onAttempt?: (outcome: { ok: boolean; statusCode: number | null; durationMs: number; eventType: string }) => void;
	random?: () => number;
}

export interface FanoutWorker {
	start(): Promise<void>;
	stop(): Promise<void>;
	/** Looks for due deliveries now (tests, and after a replay in the same process). */
	kick(): void;
}

/** Decrypted signing secrets by sealed value (a sealed value always opens to the same secret). */
function secretCache(box: SecretBox): (sealed: string) => string {
	const secrets = new Map<string, string>();
	return (sealed) => {
		let secret = secrets.get(sealed);
		if (secret === undefined) {
			secret = box.open(sealed);
			if (secrets.size > 10_000) secrets.clear();
			secrets.set(sealed, secret);
		}
		return secret;
	};
}

/**
 * Attempts one leased delivery and records its outcome; `retryNow` when it is due again at once.
 * `answered` is called once the attempt is over, before its outcome is written (grouped with others).
 */
function deliverer(
	options: FanoutWorkerOptions,
	timeoutMs: number,
	retryNow: () => void,
): (row: Leased, answered: () => void) => Promise<void> {
	const openSecret = secretCache(options.box);
	const record = outcomeRecorder(options.pool, { prepared: options.preparedStatements ?? true });
	const log = options.log ?? (() => undefined);

	async function attempt(row: Leased): Promise<AttemptResult> {
		try {
			const secrets = [row.secret_sealed, row.previous_secret_sealed].flatMap((sealed) =>
				sealed ? [openSecret(sealed)] : [],
			);
			const request = deliveryRequest(row, secrets, Math.floor(Date.now() / 1000));
			return { statusCode: await postJson(row.url, request.headers, request.body, timeoutMs) };
		} catch (caught) {
			return {
				statusCode: null,
				failure: caught instanceof PostError ? caught.message : `delivery failed: ${(caught as Error).message}`,
			};
		}
	}

	return async (row, answered) => {
		const started = performance.now();
		const result = await attempt(row);
		answered();
		const outcome = attemptOutcome(row.attempts, result, options.schedule, options.random);
		options.onAttempt?.({
			ok: outcome.status === 'succeeded',
			statusCode: result.statusCode,
			durationMs: performance.now() - started,
			eventType: row.event_type,
		});
		if (outcome.status === 'dead')
			log('warn', 'delivery dead-lettered', {
				delivery_id: row.id,
				attempts: row.attempts,
				status_code: result.statusCode,
			});
		await record({ id: row.id, attempts: row.attempts, ...outcome });
		if (outcome.status === 'pending' && outcome.delayMs === 0) retryNow();
	};
}

export function createFanoutWorker(options: FanoutWorkerOptions): FanoutWorker {
	const concurrency = options.concurrency ?? 32;
	const timeoutMs = options.requestTimeoutMs ?? 10_000;
	const pollMs = options.pollIntervalMs ?? 1_000;
	const leaseMs = Math.max(options.leaseMs ?? 60_000, timeoutMs + 5_000);
	const refillAt = Math.floor(concurrency / 2);
	// Attempts whose outcome is not written yet count against this bound too (a slow database slows leasing).
	const maxUnrecorded = concurrency * 4;
	const log = options.log ?? (() => undefined);
	let running = false;
	let inFlight = 0;
	let pumping = false;
	let again = false;
	let timer: NodeJS.Timeout | undefined;
	let listener: Listener | undefined;
	const pending = new Set<Promise<void>>();
	const deliver = deliverer(options, timeoutMs, () => kick());

	// A slot is free again once the subscriber answered: the outcome is written in the background, in
	// one UPDATE with the others that finished meanwhile (the row stays leased until then, so it is not
	// taken again). Refill when half the slots are free: one lease for many deliveries, not one per
	// finished delivery (NOTIFY and the poll timer still wake the worker for new and due deliveries).
	function launch(row: Leased): void {
		inFlight++;
		let slotHeld = true;
		const freeSlot = () => {
			if (!slotHeld) return;
			slotHeld = false;
			inFlight--;
			if (running && inFlight <= refillAt) kick();
		};
		const p: Promise<void> = deliver(row, freeSlot)
			.catch((error: unknown) =>
				log('error', 'delivery bookkeeping failed', { delivery_id: row.id, error: (error as Error).message }),
			)
			.finally(() => {
				pending.delete(p);
				freeSlot();
				if (running && pending.size === maxUnrecorded - 1) kick(); // below the bound again
			});
		pending.add(p);
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
				const free = Math.min(concurrency - inFlight, maxUnrecorded - pending.size);
				if (!running || free <= 0) break;
				const rows = await leaseDue(options.pool, free, leaseMs, options.preparedStatements ?? true);
				for (const row of rows) launch(row);
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

	return {
		async start() {
			if (running) return;
			running = true;
			listener = startListener({
				pool: options.pool,
				channel: FANOUT_CHANNEL,
				onWake: kick,
				log,
				backoff: { initialMs: 250, maxMs: pollMs * 5 },
			});
			await listener.ready;
			timer = setInterval(kick, pollMs);
			timer.unref();
			kick();
		},
		async stop() {
			running = false;
			if (timer) clearInterval(timer);
			while (pumping) await new Promise((r) => setTimeout(r, 5));
			await Promise.allSettled([...pending]);
			const current = listener;
			listener = undefined;
			await current?.stop();
		},
		kick,
	};
}
