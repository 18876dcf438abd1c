import { nextCount, retryAfterSeconds, windowReset, windowStart } from './rate-limit';

describe('fixed-window rate-limit maths', () => {
	it('puts instants of the same minute in one window and the next minute in the next', () => {
		expect(windowStart(120_000, 60_000)).toBe(120_000);
		expect(windowStart(179_999, 60_000)).toBe(120_000);
		expect(windowStart(180_000, 60_000)).toBe(180_000);
		expect(windowReset(120_000, 60_000)).toBe(180_000);
		expect(() => windowStart(1, 0)).toThrow(RangeError);
	});

	it('counts on within a window and restarts at 1 in a new one', () => {
		expect(nextCount(undefined, 120_000)).toBe(1);
		expect(nextCount({ windowStartMs: 120_000, hits: 9 }, 120_000)).toBe(10);
		expect(nextCount({ windowStartMs: 60_000, hits: 9 }, 120_000)).toBe(1);
	});

	it('asks to retry after the whole seconds left, never 0', () => {
		expect(retryAfterSeconds(180_000, 120_001)).toBe(60);
		expect(retryAfterSeconds(180_000, 179_900)).toBe(1);
		expect(retryAfterSeconds(180_000, 185_000)).toBe(1);
	});
});
