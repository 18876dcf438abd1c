// The pure scheduling maths of the bulk send, with explicit times and an injectable clock.
import {
	DEFAULT_ADAPTIVE_RATE,
	defaultConcurrency,
	fixedRate,
	Pacer,
	PairSpacer,
	retryDelay,
	runBulk,
	type AdaptiveRate,
	type Clock,
} from '../../../nodes/WhatsApp/shared/bulkScheduler';

/** A virtual clock: sleeping advances time instantly (in order), so runs are exact and fast. */
function virtualClock(): Clock & { log: number[] } {
	let now = 0;
	const log: number[] = [];
	return {
		log,
		now: () => now,
		async sleep(ms: number) {
			now += Math.max(0, ms);
			log.push(now);
			await Promise.resolve();
		},
	};
}

describe('Pacer (token bucket)', () => {
	it('spaces sends at 1/rate, so no 1 s window holds more than rate starts', () => {
		const pacer = new Pacer(80);
		const starts = Array.from({ length: 400 }, () => pacer.reserve(0));
		expect(starts[1] - starts[0]).toBeCloseTo(12.5);
		for (let i = 0; i < starts.length; i++) {
			const inWindow = starts.filter((t) => t >= starts[i] && t < starts[i] + 1000).length;
			expect(inWindow).toBeLessThanOrEqual(80);
		}
		expect(starts[399]).toBeGreaterThanOrEqual(399 * 12.5);
	});

	it('lets a late loop catch up with its burst, but never beyond rate sends per window', () => {
		const pacer = new Pacer(80, 4, 1010);
		const starts: number[] = [];
		// The event loop stalls: reservations come in clumps every 200 ms.
		for (let now = 0; starts.length < 800; now += 200) for (let k = 0; k < 20; k++) starts.push(pacer.reserve(now));
		for (let i = 0; i < starts.length; i++) {
			expect(starts.filter((t) => t >= starts[i] && t < starts[i] + 1000).length).toBeLessThanOrEqual(80);
		}
		// Throughput is kept: 800 sends take about 800/80 s, not longer.
		expect(starts[799]).toBeLessThan(10_200);
	});

	it('counts the window from when a send really left: a late timer does not bunch it with the next window', () => {
		const pacer = new Pacer(10); // 10 per 1,000 ms
		const planned = Array.from({ length: 10 }, () => pacer.reserve(0));
		// The first send left 40 ms late (busy event loop).
		pacer.launched(planned[0], planned[0] + 40);
		// The 11th send waits for a full window after the first one's real departure, not its plan.
		expect(pacer.reserve(0)).toBe(planned[0] + 40 + 1000);
	});

	it('does not bank idle time: after a pause the next send is immediate, the one after is spaced', () => {
		const pacer = new Pacer(10);
		pacer.reserve(0);
		expect(pacer.reserve(5000)).toBe(5000);
		expect(pacer.reserve(5000)).toBe(5100);
	});

	it('allows a burst when asked', () => {
		const pacer = new Pacer(10, 3);
		expect([pacer.reserve(0), pacer.reserve(0), pacer.reserve(0), pacer.reserve(0)]).toEqual([0, 0, 0, 100]);
	});
});

/**
 * A stand-in for Meta's throughput counter under a virtual clock: a send arrives `jitter()` ms after
 * it starts; more than `limit` accepted arrivals in any 1 s window → 130429 (not counted).
 */
function metaCounter(clock: Clock, limit: number, jitter: () => number) {
	const arrivals: number[] = [];
	const counter = { accepted: 0, refused: 0, refusedAt: [] as number[] };
	const attempt = async () => {
		const at = clock.now() + jitter();
		let inWindow = 0;
		for (let i = arrivals.length - 1; i >= 0 && inWindow < limit; i--)
			if (arrivals[i] > at - 1000 && arrivals[i] <= at) inWindow++;
		if (inWindow >= limit) {
			counter.refused++;
			counter.refusedAt.push(clock.now());
			return { ok: false as const, error: 'E130429', retryable: true, kind: 'throttle' as const };
		}
		arrivals.push(at);
		if (arrivals.length > 4 * limit) arrivals.splice(0, arrivals.length - 2 * limit);
		counter.accepted++;
		return { ok: true as const, value: 'ok' };
	};
	return { counter, attempt };
}

/** A seeded random source, so the runs below are the same every time. */
function seeded(seed: number): () => number {
	let state = seed;
	return () => (state = (state * 16807) % 2147483647) / 2147483647;
}

describe('Pacer adaptation to 130429 (AIMD)', () => {
	it('starts just under the configured throughput and keeps it while refusals are few', () => {
		const pacer = new Pacer(80, 1, 1000, DEFAULT_ADAPTIVE_RATE);
		expect(pacer.share).toBeCloseTo(1 / 1.005);
		const starts = Array.from({ length: 400 }, () => pacer.reserve(0));
		// 80 sends need 1,005 ms: arrivals that bunch by a few ms still fit Meta's second.
		expect(starts[399] - starts[319]).toBeCloseTo(1005, 0);
		// 5 % refused: jitter, not a lower limit — the share stays.
		for (let i = 0; i < 200; i++) {
			if (i % 20 === 0) pacer.refused(starts[399]);
			else pacer.accepted(starts[399]);
		}
		expect(pacer.share).toBeCloseTo(1 / 1.005);
	});

	it('slows by a fifth when more than 10 % are refused, ignores sends started before that, and speeds up again', () => {
		const pacer = new Pacer(80, 1, 1000, DEFAULT_ADAPTIVE_RATE);
		const early = pacer.reserve(0);
		for (let i = 0; i < 200; i++) {
			if (i % 4 === 0) pacer.refused(early);
			else pacer.accepted(early);
		}
		expect(pacer.share).toBeCloseTo(0.8 / 1.005);
		// Outcomes of sends that started before the change (still in flight) do not count again.
		for (let i = 0; i < 400; i++) pacer.refused(early);
		expect(pacer.share).toBeCloseTo(0.8 / 1.005);
		const starts = Array.from({ length: 200 }, () => pacer.reserve(0));
		expect(starts[199] - starts[119]).toBeCloseTo(1005 / 0.8, 0); // 80 sends per 1.26 s now
		for (const start of starts) pacer.accepted(start);
		expect(pacer.share).toBeCloseTo(0.8 / 1.005 + 0.01);
	});

	it('on a jittery network keeps ≥ 97 % of the throughput, with refusals retried and none failed', async () => {
		const clock = virtualClock();
		const random = seeded(7);
		const meta = metaCounter(clock, 80, () => random() * 25);
		const run = await runBulk(
			Array.from({ length: 8000 }, (_, index) => ({ index, recipient: `r${index}` })),
			meta.attempt,
			{ ratePerSecond: 80, pairSpacingMs: 0, maxRetries: 5, concurrency: 8, clock, random },
		);
		expect(run.results.every((r) => r.status === 'sent')).toBe(true);
		expect(meta.counter.refused).toBeGreaterThan(0); // the network did bunch arrivals
		expect(meta.counter.refused).toBeLessThan(8000 * 0.03);
		expect(8000 / (clock.now() / 1000)).toBeGreaterThanOrEqual(0.97 * 80);
	});

	it('finds a number whose real throughput is far below the configured one, instead of hammering it', async () => {
		const run = async (adaptiveRate?: AdaptiveRate) => {
			const clock = virtualClock();
			const random = seeded(11);
			const meta = metaCounter(clock, 80, () => random() * 25);
			const result = await runBulk(
				Array.from({ length: 8000 }, (_, index) => ({ index, recipient: `r${index}` })),
				meta.attempt,
				{ ratePerSecond: 1000, pairSpacingMs: 0, maxRetries: 5, concurrency: 100, clock, random, adaptiveRate },
			);
			return { ...meta.counter, failed: result.results.filter((r) => r.status !== 'sent').length };
		};
		const fixed = await run(fixedRate(1));
		const adaptive = await run();
		// Configured at 1,000 msg/s on an 80 msg/s number: a fixed pacer is refused most of the time
		// and many messages run out of retries; the adaptive one settles near the real limit.
		expect(fixed.refused).toBeGreaterThan(8000);
		expect(fixed.failed).toBeGreaterThan(1000);
		expect(adaptive.refused).toBeLessThan(fixed.refused / 10);
		expect(adaptive.failed).toBeLessThan(8000 * 0.02);
	});
});

describe('PairSpacer (one message per 6 s per recipient)', () => {
	it('makes the second message to a recipient wait, not others; undo gives a slot back', () => {
		const pairs = new PairSpacer(6000);
		expect(pairs.readyAt('a')).toBe(-Infinity);
		const previous = pairs.record('a', 1000);
		expect(pairs.readyAt('a')).toBe(7000);
		expect(pairs.readyAt('b')).toBe(-Infinity);
		pairs.undo('a', 1000, previous);
		expect(pairs.readyAt('a')).toBe(-Infinity);
	});
});

describe('retryDelay', () => {
	it('is capped exponential with jitter in [0.5, 1), 4^n s for pair-rate errors, and honours Retry-After', () => {
		const policy = { baseMs: 1000, capMs: 8000, pairBaseMs: 1000 };
		expect(retryDelay(1, 'default', policy, undefined, () => 0)).toBe(500);
		expect(retryDelay(3, 'default', policy, undefined, () => 0.999)).toBeCloseTo(4000 * 0.9995);
		expect(retryDelay(10, 'default', policy, undefined, () => 0)).toBe(4000);
		expect(retryDelay(1, 'pair', policy)).toBe(4000);
		expect(retryDelay(2, 'pair', policy)).toBe(16000);
		expect(retryDelay(1, 'default', policy, 30_000, () => 0)).toBe(30_000);
	});

	it('picks a concurrency that fills the pipe', () => {
		expect(defaultConcurrency(80)).toBe(32);
		expect(defaultConcurrency(1000)).toBe(200);
		expect(defaultConcurrency(1)).toBe(4);
	});
});

describe('runBulk', () => {
	const jobs = (recipients: string[]) => recipients.map((recipient, index) => ({ index, recipient }));

	it('returns results in input order and sends a repeated recipient only after the spacing', async () => {
		const clock = virtualClock();
		const startedAt: Array<[string, number]> = [];
		const run = await runBulk(
			jobs(['a', 'a', 'b', 'c', 'a']),
			async (job) => {
				startedAt.push([job.recipient, clock.now()]);
				return { ok: true, value: `sent-${job.index}` };
			},
			{ ratePerSecond: 100, pairSpacingMs: 6000, maxRetries: 3, concurrency: 5, clock },
		);
		expect(run.results.map((r) => (r.status === 'sent' ? r.value : r.status))).toEqual([
			'sent-0',
			'sent-1',
			'sent-2',
			'sent-3',
			'sent-4',
		]);
		const times = startedAt.filter(([r]) => r === 'a').map(([, t]) => t);
		expect(times[1] - times[0]).toBeGreaterThanOrEqual(6000);
		expect(times[2] - times[1]).toBeGreaterThanOrEqual(6000);
		// b and c did not wait for a's spacing.
		expect(startedAt.find(([r]) => r === 'c')![1]).toBeLessThan(1000);
	});

	it('retries retryable failures, never retries permanent ones, and counts attempts', async () => {
		const clock = virtualClock();
		const failuresLeft = new Map([['x', 2]]);
		const run = await runBulk(
			jobs(['x', 'y']),
			async (job) => {
				if (job.recipient === 'y') return { ok: false, error: 'E131047', retryable: false };
				const left = failuresLeft.get('x')!;
				if (left > 0) {
					failuresLeft.set('x', left - 1);
					return { ok: false, error: 'E130429', retryable: true, retryAfterMs: 2000 };
				}
				return { ok: true, value: 'ok' };
			},
			{ ratePerSecond: 10, pairSpacingMs: 0, maxRetries: 5, clock },
		);
		expect(run.results[0]).toMatchObject({ status: 'sent', attempts: 3 });
		expect(run.results[1]).toEqual({ index: 1, status: 'failed', error: 'E131047', attempts: 1 });
		expect(clock.now()).toBeGreaterThanOrEqual(4000); // two Retry-After waits of 2 s
	});

	it('sends a retry as soon as its wait is over, ahead of the jobs still waiting their first turn', async () => {
		const clock = virtualClock();
		const attemptsOf0: number[] = [];
		const run = await runBulk(
			jobs(Array.from({ length: 50 }, (_, i) => `r${i}`)),
			async (job, attemptNumber) => {
				if (job.index === 0) attemptsOf0.push(clock.now());
				if (job.index === 0 && attemptNumber === 1)
					return { ok: false, error: 'E130429', retryable: true, kind: 'throttle', retryAfterMs: 1000 };
				return { ok: true, value: 'ok' };
			},
			{ ratePerSecond: 10, pairSpacingMs: 0, maxRetries: 3, concurrency: 1, clock },
		);
		expect(run.results.every((r) => r.status === 'sent')).toBe(true);
		// 50 sends at 10/s take 5 s; the retry went out after its 1 s wait, not at the end.
		expect(attemptsOf0[1] - attemptsOf0[0]).toBeGreaterThanOrEqual(1000);
		expect(attemptsOf0[1]).toBeLessThan(1300);
	});

	it('gives up after maxRetries', async () => {
		const clock = virtualClock();
		let calls = 0;
		const run = await runBulk(jobs(['x']), async () => (calls++, { ok: false, error: 'E2', retryable: true }), {
			ratePerSecond: 10,
			pairSpacingMs: 0,
			maxRetries: 2,
			clock,
		});
		expect(calls).toBe(3);
		expect(run.results[0]).toMatchObject({ status: 'failed', attempts: 3 });
	});

	it('stops the run on a stop-the-run error: no further sends, the rest skipped', async () => {
		const clock = virtualClock();
		const sent: number[] = [];
		const run = await runBulk(
			jobs(Array.from({ length: 20 }, (_, i) => `r${i}`)),
			async (job) => {
				sent.push(job.index);
				if (job.index === 3) return { ok: false, error: 'E190', retryable: false, stopRun: true };
				return { ok: true, value: job.index };
			},
			{ ratePerSecond: 10, pairSpacingMs: 0, maxRetries: 3, concurrency: 1, clock },
		);
		expect(run.stoppedBy).toEqual({ index: 3, error: 'E190' });
		expect(sent).toEqual([0, 1, 2, 3]);
		expect(run.results.slice(4).every((r) => r.status === 'skipped')).toBe(true);
	});

	it('stops when the execution is stopped: no send starts after it, the rest skipped', async () => {
		const clock = virtualClock();
		const stop = new AbortController();
		const sent: number[] = [];
		const run = await runBulk(
			jobs(Array.from({ length: 20 }, (_, i) => `r${i}`)),
			async (job) => {
				sent.push(job.index);
				if (job.index === 3) stop.abort();
				return { ok: true, value: job.index };
			},
			{ ratePerSecond: 10, pairSpacingMs: 0, maxRetries: 3, concurrency: 1, clock, cancelSignal: stop.signal },
		);
		expect(sent).toEqual([0, 1, 2, 3]);
		expect(run.cancelled).toBe(true);
		expect(run.results.slice(0, 4).every((r) => r.status === 'sent')).toBe(true);
		expect(run.results.slice(4).every((r) => r.status === 'skipped')).toBe(true);
	});

	it('a stop wakes a run waiting a minute for its retry: it ends at once, nothing more sent', async () => {
		// Time stands still (no timer ever fires): only the stop can end the wait.
		const frozen: Clock = { now: () => 0, sleep: () => new Promise<void>(() => undefined) };
		const stop = new AbortController();
		let calls = 0;
		const running = runBulk(
			jobs(['a']),
			async () => (calls++, { ok: false, error: '130429', retryable: true, kind: 'throttle', retryAfterMs: 60_000 }),
			{ ratePerSecond: 10, pairSpacingMs: 0, maxRetries: 3, clock: frozen, cancelSignal: stop.signal },
		);
		await new Promise((resolve) => setTimeout(resolve, 20));
		stop.abort();
		const run = await running;
		expect(calls).toBe(1);
		expect(run).toMatchObject({ cancelled: true, results: [{ status: 'skipped' }] });
	});
});
