/**
 * Scheduling maths of the bulk send, pure (no I/O; time comes from an injectable clock):
 *   - `Pacer`: a token bucket (GCRA form) at the number's throughput, capped by a sliding window,
 *     so no 1 s window holds more than `rate` sends;
 *   - `PairSpacer`: at most one message per `spacingMs` to one recipient — later messages to the
 *     same recipient wait (queued, not failed);
 *   - `retryDelay`: capped exponential backoff with jitter, 4^n s for pair-rate errors (131056),
 *     never shorter than Meta's Retry-After;
 *   - `runBulk`: bounded concurrency, all of the above, stop-the-run, results in input order.
 */

/** Fraction of the throughput kept in reserve (see runBulk). */
export const RATE_MARGIN = 0.01;

export interface Clock {
	now(): number;
	sleep(ms: number): Promise<void>;
}

/**
 * Throughput pacer: a token bucket in GCRA form (smooth spacing of 1/rate, with `burst` tokens so
 * a late event loop can catch up) capped by a sliding window: the k-th send never starts before
 * the (k − rate)-th send + `windowMs`. So no window of `windowMs` ever holds more than `rate` sends
 * — Meta's messages-per-second — however the timers drift. O(1) per send.
 */
export class Pacer {
	private tat = -Infinity;

	private readonly ring: number[] = [];

	private head = 0;

	readonly intervalMs: number;

	readonly limit: number;

	constructor(
		ratePerSecond: number,
		private readonly burst = 1,
		private readonly windowMs = 1000,
	) {
		if (!(ratePerSecond > 0)) throw new Error('rate must be > 0');
		this.intervalMs = 1000 / ratePerSecond;
		this.limit = Math.max(1, Math.floor((ratePerSecond * windowMs) / 1000));
	}

	/** Reserves the next send slot; returns the time (ms) at which it may start (≥ now). */
	reserve(now: number): number {
		const tolerance = (this.burst - 1) * this.intervalMs;
		let start = Math.max(now, this.tat - tolerance);
		if (this.ring.length === this.limit) start = Math.max(start, this.ring[this.head] + this.windowMs);
		this.tat = Math.max(this.tat, start) + this.intervalMs;
		if (this.ring.length < this.limit) this.ring.push(start);
		else {
			this.ring[this.head] = start;
			this.head = (this.head + 1) % this.limit;
		}
		return start;
	}
}

/** Minimum spacing between messages to the same recipient. */
export class PairSpacer {
	private readonly last = new Map<string, number>();

	constructor(private readonly spacingMs: number) {}

	/** Earliest time a message to `recipient` may start. */
	readyAt(recipient: string): number {
		if (this.spacingMs <= 0) return -Infinity;
		const last = this.last.get(recipient);
		return last === undefined ? -Infinity : last + this.spacingMs;
	}

	/** Records a send to `recipient` starting at `at`; returns the previous record (for `undo`). */
	record(recipient: string, at: number): number | undefined {
		const previous = this.last.get(recipient);
		if (this.spacingMs > 0) this.last.set(recipient, at);
		return previous;
	}

	/** The send starting at `at` never reached the recipient (e.g. 130429): give the slot back. */
	undo(recipient: string, at: number, previous: number | undefined): void {
		if (this.last.get(recipient) !== at) return;
		if (previous === undefined) this.last.delete(recipient);
		else this.last.set(recipient, previous);
	}
}

export interface RetryPolicy {
	baseMs: number;
	capMs: number;
	/** 131056: wait `pairBaseMs * 4^n` (n = 1, 2, …). Meta's guidance is 4^n seconds. */
	pairBaseMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseMs: 500, capMs: 60_000, pairBaseMs: 1000 };

/**
 * Delay before retry number `retry` (1 = first retry).
 * Default: min(cap, base·2^(retry-1)) scaled by a jitter factor in [0.5, 1) (from `random()`);
 * pair-rate: pairBase·4^retry (no jitter; Meta's schedule). Never below `retryAfterMs`.
 */
export function retryDelay(
	retry: number,
	kind: 'default' | 'pair',
	policy: RetryPolicy = DEFAULT_RETRY_POLICY,
	retryAfterMs?: number,
	random: () => number = Math.random,
): number {
	const computed =
		kind === 'pair'
			? policy.pairBaseMs * 4 ** retry
			: Math.min(policy.capMs, policy.baseMs * 2 ** (retry - 1)) * (0.5 + random() / 2);
	return Math.max(computed, retryAfterMs ?? 0);
}

/** Concurrency that keeps the pipe full: rate × assumed round trip, within [4, 200]. */
export function defaultConcurrency(ratePerSecond: number, roundTripMs = 400): number {
	return Math.max(4, Math.min(200, Math.ceil((ratePerSecond * roundTripMs) / 1000)));
}

export type AttemptOutcome<R, E> =
	| { ok: true; value: R }
	| { ok: false; error: E; retryable: boolean; kind?: 'default' | 'pair'; retryAfterMs?: number; stopRun?: boolean };

export interface BulkJob {
	index: number;
	recipient: string;
}

export type BulkResult<R, E> =
	| { index: number; status: 'sent'; value: R; attempts: number }
	| { index: number; status: 'failed'; error: E; attempts: number }
	| { index: number; status: 'skipped' };

export interface BulkOptions {
	ratePerSecond: number;
	pairSpacingMs: number;
	maxRetries: number;
	concurrency?: number;
	clock: Clock;
	policy?: RetryPolicy;
	random?: () => number;
	/** Stop scheduling after the first non-retryable failure (n8n without continueOnFail). */
	stopOnFailure?: boolean;
	/** Called once per finished job (progress). */
	onResult?: (result: BulkResult<unknown, unknown>) => void;
}

interface Task extends BulkJob {
	readyAt: number;
	attempts: number;
	startedAt?: number;
	previousPair?: number;
}

/** Min-heap on (readyAt, index): the earliest-ready job first, ties in input order. */
class TaskHeap {
	private items: Task[] = [];

	get size(): number {
		return this.items.length;
	}

	peek(): Task | undefined {
		return this.items[0];
	}

	push(task: Task): void {
		const items = this.items;
		items.push(task);
		let i = items.length - 1;
		while (i > 0) {
			const parent = (i - 1) >> 1;
			if (!less(items[i], items[parent])) break;
			[items[i], items[parent]] = [items[parent], items[i]];
			i = parent;
		}
	}

	pop(): Task | undefined {
		const items = this.items;
		const top = items[0];
		const last = items.pop();
		if (items.length > 0 && last) {
			items[0] = last;
			let i = 0;
			for (;;) {
				const l = 2 * i + 1;
				const r = l + 1;
				let m = i;
				if (l < items.length && less(items[l], items[m])) m = l;
				if (r < items.length && less(items[r], items[m])) m = r;
				if (m === i) break;
				[items[i], items[m]] = [items[m], items[i]];
				i = m;
			}
		}
		return top;
	}
}

function less(a: Task, b: Task): boolean {
	return a.readyAt < b.readyAt || (a.readyAt === b.readyAt && a.index < b.index);
}

export interface BulkRun<R, E> {
	results: Array<BulkResult<R, E>>;
	/** Set when a stop-the-run error (e.g. 190) ended the run early. */
	stoppedBy?: { index: number; error: E };
}

/**
 * Sends every job through `attempt` under the pacer, pair spacer and concurrency bound; retries
 * retryable failures; returns one result per job in input order (`job.index` must be its position
 * in `jobs`). Jobs not started after a stop are 'skipped'.
 */
export async function runBulk<R, E>(
	jobs: BulkJob[],
	attempt: (job: BulkJob, attemptNumber: number) => Promise<AttemptOutcome<R, E>>,
	options: BulkOptions,
): Promise<BulkRun<R, E>> {
	const { clock } = options;
	// Window 1 % longer than Meta's second: a send paced exactly at the limit would land as the
	// (rate+1)-th request of some 1 s window as soon as network jitter bunches two arrivals.
	// Burst: 50 ms worth of tokens, so a busy event loop catches up instead of losing slots.
	const pacer = new Pacer(options.ratePerSecond, Math.max(2, Math.ceil(options.ratePerSecond * 0.05)), 1000 * (1 + RATE_MARGIN));
	const pairs = new PairSpacer(options.pairSpacingMs);
	const concurrency = Math.max(1, options.concurrency ?? defaultConcurrency(options.ratePerSecond));
	const policy = options.policy ?? DEFAULT_RETRY_POLICY;
	const random = options.random ?? Math.random;
	const results = new Array<BulkResult<R, E>>(jobs.length);
	const heap = new TaskHeap();
	for (const job of jobs) heap.push({ ...job, readyAt: -Infinity, attempts: 0 });

	let inFlight = 0;
	let stopped = false;
	let stoppedBy: BulkRun<R, E>['stoppedBy'];
	let wake: (() => void) | undefined;
	const signal = () => {
		const resolve = wake;
		wake = undefined;
		resolve?.();
	};
	const finish = (result: BulkResult<R, E>) => {
		results[result.index] = result;
		options.onResult?.(result as BulkResult<unknown, unknown>);
	};

	const launch = (task: Task) => {
		inFlight++;
		task.attempts++;
		void attempt({ index: task.index, recipient: task.recipient }, task.attempts)
			.then(
				(outcome) => {
					if (outcome.ok) {
						finish({ index: task.index, status: 'sent', value: outcome.value, attempts: task.attempts });
						return;
					}
					if (outcome.stopRun) {
						finish({ index: task.index, status: 'failed', error: outcome.error, attempts: task.attempts });
						if (!stopped) stoppedBy = { index: task.index, error: outcome.error };
						stopped = true;
						return;
					}
					if (outcome.kind !== 'pair' && task.startedAt !== undefined) pairs.undo(task.recipient, task.startedAt, task.previousPair);
					if (outcome.retryable && task.attempts <= options.maxRetries && !stopped) {
						const delay = retryDelay(task.attempts, outcome.kind ?? 'default', policy, outcome.retryAfterMs, random);
						heap.push({ ...task, readyAt: clock.now() + delay });
						return;
					}
					finish({ index: task.index, status: 'failed', error: outcome.error, attempts: task.attempts });
					if (options.stopOnFailure) stopped = true;
				},
				(error: E) => {
					finish({ index: task.index, status: 'failed', error, attempts: task.attempts });
					if (options.stopOnFailure) stopped = true;
				},
			)
			.finally(() => {
				inFlight--;
				signal();
			});
	};

	const waitForChange = (ms: number) =>
		new Promise<void>((resolve) => {
			wake = resolve;
			if (Number.isFinite(ms)) void clock.sleep(Math.max(0, ms)).then(() => signal());
		});

	while (heap.size > 0 || inFlight > 0) {
		if (stopped) {
			if (inFlight === 0) break;
			await waitForChange(Infinity);
			continue;
		}
		const top = heap.peek();
		if (!top || inFlight >= concurrency) {
			await waitForChange(Infinity);
			continue;
		}
		const now = clock.now();
		const ready = Math.max(top.readyAt, pairs.readyAt(top.recipient));
		if (ready > now) {
			if (ready > top.readyAt) {
				// Blocked by the pair spacing: requeue at its time so other recipients go first.
				heap.pop();
				heap.push({ ...top, readyAt: ready });
				continue;
			}
			await waitForChange(ready - now);
			continue;
		}
		heap.pop();
		const start = pacer.reserve(now);
		top.startedAt = start;
		top.previousPair = pairs.record(top.recipient, start);
		if (start - now >= 1) await clock.sleep(start - now);
		if (stopped) {
			heap.push(top);
			continue;
		}
		launch(top);
	}
	for (let i = 0; i < jobs.length; i++) {
		if (!results[i]) results[i] = { index: jobs[i].index, status: 'skipped' };
	}
	return { results, stoppedBy };
}
