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

/**
 * Share of the configured throughput the pacer uses, adapted to Meta's answers (AIMD, like TCP).
 * Arrivals bunch on the network however evenly sends start, so a few 130429 refusals happen even
 * below the limit; they are retried and cost a slot each, so the pacer starts just under the limit
 * (`max`) and leaves that alone. Many refusals mean the number's real throughput is lower than
 * configured: every `evaluateEvery` outcomes of sends started since the last change, if more than
 * `high` of them were refused the share is multiplied by `slowDown`; below `low` it grows by
 * `speedUp`; within [min, max].
 */
export interface AdaptiveRate {
	max: number;
	min: number;
	high: number;
	low: number;
	slowDown: number;
	speedUp: number;
	evaluateEvery: number;
}

export const DEFAULT_ADAPTIVE_RATE: AdaptiveRate = {
	max: 1 / 1.005,
	min: 0.05,
	high: 0.1,
	low: 0.02,
	slowDown: 0.8,
	speedUp: 0.01,
	evaluateEvery: 200,
};

/** A share that never adapts. */
export const fixedRate = (share: number): AdaptiveRate => ({ ...DEFAULT_ADAPTIVE_RATE, max: share, min: share });

export interface Clock {
	now(): number;
	sleep(ms: number): Promise<void>;
}

/**
 * Throughput pacer: a token bucket in GCRA form (smooth spacing of 1/(rate × share), with `burst`
 * tokens so a late event loop can catch up) capped by a sliding window: a send never starts before
 * the `rate`-th most recent send + `windowMs` / share. So no window ever holds more than `rate`
 * sends — Meta's messages-per-second — however the timers drift. O(rate) memory.
 */
export class Pacer {
	private tat = -Infinity;

	/** Start times of the last `limit` sends, ascending. */
	private readonly starts: number[] = [];

	private currentShare: number;

	/** Outcomes of sends started before this time say nothing about the current share. */
	private changedAt = -Infinity;

	private outcomes = 0;

	private refusals = 0;

	readonly intervalMs: number;

	readonly limit: number;

	constructor(
		ratePerSecond: number,
		private readonly burst = 1,
		private readonly windowMs = 1000,
		private readonly adaptive: AdaptiveRate = fixedRate(1),
	) {
		if (!(ratePerSecond > 0)) throw new Error('rate must be > 0');
		this.intervalMs = 1000 / ratePerSecond;
		this.limit = Math.max(1, Math.floor((ratePerSecond * windowMs) / 1000));
		this.currentShare = adaptive.max;
	}

	/** The share of the configured throughput in use (1 = all of it). */
	get share(): number {
		return this.currentShare;
	}

	/** Reserves the next send slot; returns the time (ms) at which it may start (≥ now). */
	reserve(now: number): number {
		const interval = this.intervalMs / this.currentShare;
		let start = Math.max(now, this.tat - (this.burst - 1) * interval);
		const starts = this.starts;
		if (starts.length >= this.limit)
			start = Math.max(start, starts[starts.length - this.limit] + this.windowMs / this.currentShare);
		this.tat = Math.max(this.tat, start) + interval;
		let i = starts.length;
		while (i > 0 && starts[i - 1] > start) i--;
		starts.splice(i, 0, start);
		if (starts.length > this.limit) starts.splice(0, starts.length - this.limit);
		return start;
	}

	/**
	 * The send reserved for `start` actually left at `at` (timers fire late on a busy event loop):
	 * the window counts from when sends really left, so a late one does not bunch with the next.
	 */
	launched(start: number, at: number): void {
		if (at <= start) return;
		const starts = this.starts;
		let i = starts.lastIndexOf(start);
		if (i < 0) return;
		starts[i] = at;
		while (i + 1 < starts.length && starts[i + 1] < starts[i]) {
			[starts[i], starts[i + 1]] = [starts[i + 1], starts[i]];
			i++;
		}
	}

	/** Meta accepted the send that started at `start`. */
	accepted(start: number): void {
		this.count(start, false);
	}

	/** Meta refused the send that started at `start` for throughput (130429). */
	refused(start: number): void {
		this.count(start, true);
	}

	private count(start: number, refused: boolean): void {
		if (start < this.changedAt) return;
		this.outcomes++;
		if (refused) this.refusals++;
		if (this.outcomes < this.adaptive.evaluateEvery) return;
		const refusedShare = this.refusals / this.outcomes;
		const { min, max, high, low, slowDown, speedUp } = this.adaptive;
		const before = this.currentShare;
		if (refusedShare > high) this.currentShare = Math.max(min, before * slowDown);
		else if (refusedShare < low) this.currentShare = Math.min(max, before + speedUp);
		if (this.currentShare !== before) this.changedAt = this.tat;
		this.outcomes = 0;
		this.refusals = 0;
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
 * Why a send failed, for its retry: 'throttle' = Meta's throughput limit (130429), 'pair' = the
 * pair rate (131056), 'default' = anything else retryable.
 */
export type RetryKind = 'default' | 'pair' | 'throttle';

/**
 * Delay before retry number `retry` (1 = first retry).
 * Default and throttle: min(cap, base·2^(retry-1)) scaled by a jitter factor in [0.5, 1) (from
 * `random()`); pair-rate: pairBase·4^retry (no jitter; Meta's schedule). Never below `retryAfterMs`.
 */
export function retryDelay(
	retry: number,
	kind: RetryKind,
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
	| {
			ok: false;
			error: E;
			retryable: boolean;
			/** 'throttle' also tells the pacer (see AdaptiveRate). */
			kind?: RetryKind;
			retryAfterMs?: number;
			stopRun?: boolean;
	  };

export interface BulkJob {
	index: number;
	recipient: string;
}

export type BulkResult<R, E> =
	| { index: number; status: 'sent'; value: R; attempts: number }
	| { index: number; status: 'failed'; error: E; attempts: number }
	| { index: number; status: 'skipped' };

/**
 * Limits shared with every other sender of the same phone numbers (the service's send budget, see
 * sharedBudget.ts): they apply on top of this run's own pacer and pair spacer.
 */
export interface SharedLimits {
	/** The earliest time (clock ms) `job` may start: a send permit of its phone number. */
	permit(job: BulkJob, now: number): Promise<number>;
	/** How late (ms) a send may leave after its permit's time; a later one takes another permit. */
	readonly permitLateToleranceMs: number;
	/** Reserves the next pair-rate slot of each job's recipient, in order (clock ms each). */
	pairSlots(jobs: BulkJob[], now: number): Promise<number[]>;
	/**
	 * How much later than its reserved pair slot a message may still leave: other runs space their
	 * messages to the same person from that slot. A later send (a busy event loop, a retry) reserves again.
	 */
	readonly pairLateToleranceMs: number;
}

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
	/** How the pacer adapts to 130429 (default DEFAULT_ADAPTIVE_RATE). */
	adaptiveRate?: AdaptiveRate;
	/** Called once per finished job (progress). */
	onResult?: (result: BulkResult<unknown, unknown>) => void;
	/** Limits shared with other runs sending from the same numbers. */
	shared?: SharedLimits;
	/** The execution was stopped (n8n's cancel signal): no further send starts; jobs not started are 'skipped'. */
	cancelSignal?: AbortSignal;
}

interface Task extends BulkJob {
	readyAt: number;
	attempts: number;
	startedAt?: number;
	previousPair?: number;
	/** The recipient's slot reserved in the shared limits (-Infinity: no wait). */
	sharedPairAt?: number;
	/** When that slot was for (the reservation's time when it meant no wait). */
	sharedPairFor?: number;
	/** This attempt already reserved its shared slot again (once per attempt: a lagging run still sends). */
	sharedPairRenewed?: boolean;
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
	/** The execution was stopped while the run went on (its cancel signal). */
	cancelled?: boolean;
}

interface Scheduler {
	pacer: Pacer;
	pairs: PairSpacer;
	heap: TaskHeap;
	clock: Clock;
	policy: RetryPolicy;
	random: () => number;
	maxRetries: number;
	stopOnFailure: boolean;
}

interface RunState<R, E> {
	stopped: boolean;
	stoppedBy?: { index: number; error: E };
	finish: (result: BulkResult<R, E>) => void;
}

function fail<R, E>(s: Scheduler, state: RunState<R, E>, task: Task, error: E): void {
	state.finish({ index: task.index, status: 'failed', error, attempts: task.attempts });
	if (s.stopOnFailure) state.stopped = true;
}

/** What one attempt's outcome does: done, stop the run, retry later, or failed. */
function settle<R, E>(s: Scheduler, state: RunState<R, E>, task: Task, outcome: AttemptOutcome<R, E>): void {
	if (outcome.ok) {
		if (task.startedAt !== undefined) s.pacer.accepted(task.startedAt);
		state.finish({ index: task.index, status: 'sent', value: outcome.value, attempts: task.attempts });
		return;
	}
	if (outcome.stopRun) {
		state.finish({ index: task.index, status: 'failed', error: outcome.error, attempts: task.attempts });
		if (!state.stopped) state.stoppedBy = { index: task.index, error: outcome.error };
		state.stopped = true;
		return;
	}
	if (outcome.kind === 'throttle' && task.startedAt !== undefined) s.pacer.refused(task.startedAt);
	if (outcome.kind !== 'pair' && task.startedAt !== undefined)
		s.pairs.undo(task.recipient, task.startedAt, task.previousPair);
	if (outcome.retryable && task.attempts <= s.maxRetries && !state.stopped) {
		const delay = retryDelay(task.attempts, outcome.kind ?? 'default', s.policy, outcome.retryAfterMs, s.random);
		s.heap.push({ ...task, readyAt: s.clock.now() + delay, sharedPairRenewed: false });
		return;
	}
	fail(s, state, task, outcome.error);
}

/** Reserves the shared pair slots of a quarter second's worth of jobs at once (one request, not one per message). */
async function reserveSharedPairs(shared: SharedLimits, tasks: Task[], now: number): Promise<void> {
	const batch = tasks.filter((t) => t.sharedPairAt === undefined);
	const slots = await shared.pairSlots(batch, now);
	batch.forEach((t, i) => {
		t.sharedPairAt = slots[i] ?? -Infinity;
		t.sharedPairFor = Math.max(now, t.sharedPairAt);
	});
}

/**
 * When `task` may start under the pair spacing, this run's and the shared one (reserving the shared
 * slots of the next quarter second's worth of jobs, `upcoming(count)`, with it).
 */
async function pairReadyAt(
	options: BulkOptions,
	pairs: PairSpacer,
	task: Task,
	upcoming: (count: number) => Task[],
	now: number,
): Promise<number> {
	if (options.shared && task.sharedPairAt === undefined)
		await reserveSharedPairs(options.shared, [task, ...upcoming(Math.ceil(options.ratePerSecond / 4) - 1)], now);
	return Math.max(pairs.readyAt(task.recipient), task.sharedPairAt ?? -Infinity);
}

/**
 * Whether `task` may leave now under its shared pair slot. One about to leave later than the slot
 * allows (see SharedLimits.pairLateToleranceMs: a retry, a stalled event loop) reserves a new slot
 * first, once per attempt; false when that one is still ahead (the task then waits for it in the heap).
 */
async function sharedPairHolds(shared: SharedLimits, task: Task, clock: Clock): Promise<boolean> {
	const late = task.sharedPairFor !== undefined && clock.now() - task.sharedPairFor > shared.pairLateToleranceMs;
	if (!late || task.sharedPairRenewed) return true;
	task.sharedPairRenewed = true;
	task.sharedPairAt = undefined;
	await reserveSharedPairs(shared, [task], clock.now());
	return (task.sharedPairAt ?? -Infinity) <= clock.now();
}

/**
 * Sleeps until `task` may leave: its pacer slot `start` and, with shared limits, a send permit of its
 * number. A permit the send missed by more than the budget allows (a timer that fired late on a busy
 * event loop) is void and the next one is taken: late permits would bunch sends at Meta.
 */
async function waitForStart(shared: SharedLimits | undefined, task: Task, start: number, clock: Clock): Promise<void> {
	for (;;) {
		const at = shared ? Math.max(start, await shared.permit(task, clock.now())) : start;
		if (at - clock.now() >= 1) await clock.sleep(at - clock.now());
		if (!shared || clock.now() - at <= shared.permitLateToleranceMs) return;
	}
}

/** The pacer, pair spacer, retry heap and policy of one run. */
function schedulerFor(options: BulkOptions): Scheduler {
	// Burst: 50 ms worth of tokens, so a busy event loop catches up instead of losing slots.
	// Rate: just under the configured throughput, lower while Meta refuses many sends (AdaptiveRate).
	const pacer = new Pacer(
		options.ratePerSecond,
		Math.max(2, Math.ceil(options.ratePerSecond * 0.05)),
		1000,
		options.adaptiveRate ?? DEFAULT_ADAPTIVE_RATE,
	);
	return {
		pacer,
		pairs: new PairSpacer(options.pairSpacingMs),
		heap: new TaskHeap(),
		clock: options.clock,
		policy: options.policy ?? DEFAULT_RETRY_POLICY,
		random: options.random ?? Math.random,
		maxRetries: options.maxRetries,
		stopOnFailure: options.stopOnFailure === true,
	};
}

/** A stopped execution stops the run the way a stop-the-run error does (and wakes it); returns the detach. */
function stopOnCancel(cancel: AbortSignal | undefined, state: { stopped: boolean }, wake: () => void): () => void {
	if (!cancel) return () => undefined;
	const onCancel = () => {
		state.stopped = true;
		wake();
	};
	if (cancel.aborted) state.stopped = true;
	cancel.addEventListener('abort', onCancel, { once: true });
	return () => cancel.removeEventListener('abort', onCancel);
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
	const scheduler = schedulerFor(options);
	const { pacer, pairs, heap } = scheduler;
	const concurrency = Math.max(1, options.concurrency ?? defaultConcurrency(options.ratePerSecond));
	const results = new Array<BulkResult<R, E>>(jobs.length);
	// Jobs not yet tried, in input order; the heap holds retries and jobs waiting for their pair spacing.
	const fresh: Task[] = jobs.map((job) => ({ ...job, readyAt: -Infinity, attempts: 0 }));
	let nextFresh = 0;

	let inFlight = 0;
	const state: RunState<R, E> = {
		stopped: false,
		finish: (result) => {
			results[result.index] = result;
			options.onResult?.(result as BulkResult<unknown, unknown>);
		},
	};
	let wake: (() => void) | undefined;
	const signal = () => {
		const resolve = wake;
		wake = undefined;
		resolve?.();
	};
	const launch = (task: Task) => {
		inFlight++;
		task.attempts++;
		void attempt({ index: task.index, recipient: task.recipient }, task.attempts)
			.then(
				(outcome) => settle(scheduler, state, task, outcome),
				(error: E) => fail(scheduler, state, task, error),
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

	const detachCancel = stopOnCancel(options.cancelSignal, state, signal);
	while (heap.size > 0 || nextFresh < fresh.length || inFlight > 0) {
		if (state.stopped) {
			if (inFlight === 0) break;
			await waitForChange(Infinity);
			continue;
		}
		if (inFlight >= concurrency) {
			await waitForChange(Infinity);
			continue;
		}
		const now = clock.now();
		// A retry whose wait is over goes first; then the next job in input order.
		const top = heap.peek();
		let task: Task;
		if (top && top.readyAt <= now) task = heap.pop() as Task;
		else if (nextFresh < fresh.length) task = fresh[nextFresh++];
		else {
			await waitForChange(top ? top.readyAt - now : Infinity);
			continue;
		}
		const pairReady = await pairReadyAt(options, pairs, task, (n) => fresh.slice(nextFresh, nextFresh + n), now);
		if (pairReady > now) {
			// Blocked by the pair spacing: queue it for its time so other recipients go first.
			heap.push({ ...task, readyAt: pairReady });
			continue;
		}
		const start = pacer.reserve(now);
		task.startedAt = start;
		task.previousPair = pairs.record(task.recipient, start);
		if (options.shared && !(await sharedPairHolds(options.shared, task, clock))) {
			pairs.undo(task.recipient, start, task.previousPair);
			heap.push({ ...task, readyAt: task.sharedPairAt as number });
			continue;
		}
		await waitForStart(options.shared, task, start, clock);
		if (state.stopped) {
			heap.push(task);
			continue;
		}
		pacer.launched(start, clock.now());
		launch(task);
	}
	detachCancel();
	for (let i = 0; i < jobs.length; i++) {
		if (!results[i]) results[i] = { index: jobs[i].index, status: 'skipped' };
	}
	return { results, stoppedBy: state.stoppedBy, cancelled: options.cancelSignal?.aborted === true };
}
