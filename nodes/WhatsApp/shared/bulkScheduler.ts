/**
 * Scheduling maths of the bulk send, pure (no I/O; time comes from an injectable clock):
 *   - `Pacer`: a token bucket (GCRA form) at the number's throughput, so no 1 s window holds
 *     more than `rate` (+1) sends;
 *   - `PairSpacer`: at most one message per `spacingMs` to one recipient — later messages to the
 *     same recipient wait (queued, not failed);
 *   - `retryDelay`: capped exponential backoff with jitter, 4^n s for pair-rate errors (131056),
 *     never shorter than Meta's Retry-After;
 *   - `runBulk`: bounded concurrency, all of the above, stop-the-run, results in input order.
 */

export interface Clock {
	now(): number;
	sleep(ms: number): Promise<void>;
}

/** Token bucket as a Generic Cell Rate Algorithm: one theoretical arrival time, O(1). */
export class Pacer {
	private tat = -Infinity;

	readonly intervalMs: number;

	/** @param ratePerSecond sends per second; @param burst tokens available at once (≥ 1). */
	constructor(
		ratePerSecond: number,
		private readonly burst = 1,
	) {
		if (!(ratePerSecond > 0)) throw new Error('rate must be > 0');
		this.intervalMs = 1000 / ratePerSecond;
	}

	/** Reserves the next send slot; returns the time (ms) at which it may start (≥ now). */
	reserve(now: number): number {
		const tolerance = (this.burst - 1) * this.intervalMs;
		const start = Math.max(now, this.tat - tolerance);
		this.tat = Math.max(this.tat, start) + this.intervalMs;
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

export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseMs: 1000, capMs: 60_000, pairBaseMs: 1000 };

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
	const pacer = new Pacer(options.ratePerSecond);
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
