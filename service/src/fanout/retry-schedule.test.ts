import {
	DEFAULT_RETRY_SCHEDULE,
	nextAttempt,
	parseDuration,
	parseRetrySchedule,
	RetryScheduleError,
} from './retry-schedule';

describe('retry schedule', () => {
	it('parses the Svix-like default', () => {
		expect(parseRetrySchedule(DEFAULT_RETRY_SCHEDULE)).toEqual([
			0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000,
		]);
		expect(parseDuration('250ms')).toBe(250);
		expect(parseDuration('15m')).toBe(900_000);
		expect(() => parseRetrySchedule('5x')).toThrow(RetryScheduleError);
		expect(() => parseDuration('1s,2s')).toThrow(RetryScheduleError);
	});
	it('retries on schedule with ±20 % jitter, then dead-letters', () => {
		const schedule = parseRetrySchedule(DEFAULT_RETRY_SCHEDULE);
		expect(nextAttempt(schedule, 1, () => 0)).toEqual({ kind: 'retry', delayMs: 4_000 });
		expect(nextAttempt(schedule, 1, () => 1)).toEqual({ kind: 'retry', delayMs: 6_000 });
		expect(nextAttempt(schedule, 2, () => 0.5)).toEqual({ kind: 'retry', delayMs: 300_000 });
		expect(nextAttempt(schedule, 7, () => 0.5)).toEqual({ kind: 'retry', delayMs: 36_000_000 });
		expect(nextAttempt(schedule, 8)).toEqual({ kind: 'dead' });
	});
	it('spreads a burst of failures', () => {
		const schedule = parseRetrySchedule(DEFAULT_RETRY_SCHEDULE);
		const delays = new Set(Array.from({ length: 50 }, () => (nextAttempt(schedule, 2) as { delayMs: number }).delayMs));
		expect(delays.size).toBeGreaterThan(40);
		for (const d of delays) expect(d).toBeGreaterThanOrEqual(240_000);
	});
});
