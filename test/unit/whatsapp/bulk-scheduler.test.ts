// The pure scheduling maths of the bulk send, with explicit times and an injectable clock.
import { defaultConcurrency, Pacer, PairSpacer, retryDelay, runBulk, type Clock } from '../../../nodes/WhatsApp/shared/bulkScheduler';

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
		expect(run.results.map((r) => (r.status === 'sent' ? r.value : r.status))).toEqual(['sent-0', 'sent-1', 'sent-2', 'sent-3', 'sent-4']);
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

	it('gives up after maxRetries', async () => {
		const clock = virtualClock();
		let calls = 0;
		const run = await runBulk(jobs(['x']), async () => (calls++, { ok: false, error: 'E2', retryable: true }), { ratePerSecond: 10, pairSpacingMs: 0, maxRetries: 2, clock });
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
});
