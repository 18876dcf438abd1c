// The fan-out worker: leases due deliveries from the shared outbox (deliveries.ts), POSTs them
// signed with Standard Webhooks headers and records the outcome (attempt.ts decides it: succeeded,
// retry later, or dead letter). Woken by NOTIFY on commit of new deliveries (listener.ts; low
// latency), and by a poll timer (retries coming due, leases of a crashed instance running out, and
// whatever happened while the database was away). Deliveries of events this process stored come
// without a lease while it has room: inserted already leased to it (`claim`, enqueue.ts), they are
// sent the moment their transaction commits.
import type { KeyObject } from 'node:crypto';
import type { Pool } from 'pg';
import { signingKey } from '../core/standard-webhooks';
import type { SecretBox } from '../crypto/secret-box';
import { attemptOutcome, deliveryRequest, type AttemptResult } from './attempt';
import { leaseDue, outcomeRecorder, releaseLeases, type Leased } from './deliveries';
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
	/** Lease with a named prepared statement (DATABASE_PREPARED_STATEMENTS; default true). */
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
	/**
	 * Room for up to `want` deliveries inserted already leased to this worker
	 * (`enqueueDeliveriesClaiming`), or undefined when it has none (stopped, or every slot taken). The
	 * room is held until `deliver` (after the transaction committed) or `cancel` (it did not).
	 */
	claim(want: number): DeliveryClaim | undefined;
}

export interface DeliveryClaim {
	/** At most this many deliveries may be claimed. */
	limit: number;
	leaseMs: number;
	/** The transaction committed: sends the claimed deliveries now. */
	deliver(rows: readonly Leased[]): void;
	/** The transaction rolled back (or whether it committed is unknown): nothing was claimed. */
	cancel(): void;
}

/**
 * Signing keys by sealed secret (a sealed value always opens to the same secret), decrypted and
 * prepared once: see `signingKey`.
 */
function keyCache(box: SecretBox): (sealed: string) => KeyObject {
	const keys = new Map<string, KeyObject>();
	return (sealed) => {
		let key = keys.get(sealed);
		if (key === undefined) {
			key = signingKey(box.open(sealed));
			if (keys.size > 10_000) keys.clear();
			keys.set(sealed, key);
		}
		return key;
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
	const openKey = keyCache(options.box);
	const record = outcomeRecorder(options.pool);
	const log = options.log ?? (() => undefined);

	async function attempt(row: Leased): Promise<AttemptResult> {
		try {
			const secrets = [row.secret_sealed, row.previous_secret_sealed].flatMap((sealed) =>
				sealed ? [openKey(sealed)] : [],
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
	return new Worker(options);
}

class Worker implements FanoutWorker {
	private readonly concurrency: number;
	private readonly pollMs: number;
	private readonly leaseMs: number;
	private readonly refillAt: number;
	// Attempts whose outcome is not written yet count against this bound too (a slow database slows leasing).
	private readonly maxUnrecorded: number;
	private readonly log: NonNullable<FanoutWorkerOptions['log']>;
	private readonly deliver: (row: Leased, answered: () => void) => Promise<void>;
	private running = false;
	private inFlight = 0;
	// Slots held for claims whose transaction has not ended yet.
	private reserved = 0;
	// The outbox may hold due deliveries this worker has not leased (the last lease filled every free
	// slot, or a wake-up found none free): a freed slot then leases again. Otherwise new deliveries
	// arrive by claim or NOTIFY, and retries by the poll timer.
	private backlog = true;
	private pumping = false;
	private again = false;
	private timer: NodeJS.Timeout | undefined;
	private listener: Listener | undefined;
	private readonly pending = new Set<Promise<void>>();

	constructor(private readonly options: FanoutWorkerOptions) {
		this.concurrency = options.concurrency ?? 32;
		const timeoutMs = options.requestTimeoutMs ?? 10_000;
		this.pollMs = options.pollIntervalMs ?? 1_000;
		this.leaseMs = Math.max(options.leaseMs ?? 60_000, timeoutMs + 5_000);
		this.refillAt = Math.floor(this.concurrency / 2);
		this.maxUnrecorded = this.concurrency * 4;
		this.log = options.log ?? (() => undefined);
		this.deliver = deliverer(options, timeoutMs, () => this.kick());
	}

	async start(): Promise<void> {
		if (this.running) return;
		this.running = true;
		this.listener = startListener({
			pool: this.options.pool,
			channel: FANOUT_CHANNEL,
			onWake: () => this.kick(),
			log: this.log,
			backoff: { initialMs: 250, maxMs: this.pollMs * 5 },
		});
		await this.listener.ready;
		this.timer = setInterval(() => this.kick(), this.pollMs);
		this.timer.unref();
		// One look at the outbox before start() resolves: from then on the worker knows whether
		// deliveries are waiting there (and claims new ones only when none are).
		await this.pump();
	}

	async stop(): Promise<void> {
		this.running = false;
		if (this.timer) clearInterval(this.timer);
		while (this.pumping) await new Promise((r) => setTimeout(r, 5));
		await Promise.allSettled([...this.pending]);
		const current = this.listener;
		this.listener = undefined;
		await current?.stop();
	}

	kick(): void {
		if (this.running) void this.pump();
	}

	claim(want: number): DeliveryClaim | undefined {
		// Deliveries waiting in the outbox go first: while there may be some, new ones wait behind them.
		const limit = Math.min(this.room(), Math.floor(want));
		if (!this.running || this.backlog || limit <= 0) return undefined;
		this.reserved += limit;
		let held = true;
		const settle = (): boolean => {
			if (!held) return false;
			held = false;
			this.reserved -= limit;
			// A wake-up that found no room while this claim held it leases once the claim is over.
			queueMicrotask(() => {
				if (this.backlog) this.kick();
			});
			return true;
		};
		return {
			limit,
			leaseMs: this.leaseMs,
			deliver: (rows) => {
				if (!settle()) return;
				if (this.running) for (const row of rows) this.launch(row);
				else if (rows.length > 0) this.handBack(rows);
			},
			cancel: () => void settle(),
		};
	}

	/** Free slots: concurrency, and the bound on attempts not recorded yet, minus held claims. */
	private room(): number {
		return Math.min(this.concurrency - this.inFlight, this.maxUnrecorded - this.pending.size) - this.reserved;
	}

	/** Claimed deliveries of a worker that stopped meanwhile: back to the outbox, due now, for the next worker. */
	private handBack(rows: readonly Leased[]): void {
		const p: Promise<void> = releaseLeases(
			this.options.pool,
			rows.map((row) => row.id),
		)
			.catch((error: unknown) => this.log('error', 'fan-out release failed', { error: (error as Error).message }))
			.finally(() => this.pending.delete(p));
		this.pending.add(p);
	}

	// A slot is free again once the subscriber answered: the outcome is written in the background, in
	// one UPDATE with the others that finished meanwhile (the row stays leased until then, so it is not
	// taken again). Refill when half the slots are free: one lease for many deliveries, not one per
	// finished delivery (NOTIFY and the poll timer still wake the worker for new and due deliveries).
	private launch(row: Leased): void {
		this.inFlight++;
		let slotHeld = true;
		const freeSlot = () => {
			if (!slotHeld) return;
			slotHeld = false;
			this.inFlight--;
			if (this.backlog && this.inFlight <= this.refillAt) this.kick();
		};
		const p: Promise<void> = this.deliver(row, freeSlot)
			.catch((error: unknown) =>
				this.log('error', 'delivery bookkeeping failed', { delivery_id: row.id, error: (error as Error).message }),
			)
			.finally(() => {
				this.pending.delete(p);
				freeSlot();
				if (this.backlog && this.pending.size === this.maxUnrecorded - 1) this.kick(); // below the bound again
			});
		this.pending.add(p);
	}

	private async pump(): Promise<void> {
		if (this.pumping) {
			this.again = true;
			return;
		}
		this.pumping = true;
		try {
			do {
				this.again = false;
				if (!this.running) break;
				const free = this.room();
				if (free <= 0) {
					this.backlog = true;
					break;
				}
				const rows = await leaseDue(this.options.pool, free, this.leaseMs, this.options.preparedStatements ?? true);
				for (const row of rows) this.launch(row);
				this.backlog = rows.length === free;
				if (this.backlog) this.again = true;
			} while (this.again && this.running);
		} catch (error) {
			this.log('error', 'fan-out lease failed', { error: (error as Error).message });
		} finally {
			this.pumping = false;
		}
	}
}
