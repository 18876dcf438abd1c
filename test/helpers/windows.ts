// Counting helpers for rate assertions: how many events fall in the busiest window.

/** The most of `times` in any window [t, t + windowLength) (times and length in one unit). */
export function maxInAnyWindow(times: readonly number[], windowLength: number): number {
	const sorted = [...times].sort((a, b) => a - b);
	let max = 0;
	for (let i = 0, j = 0; i < sorted.length; i++) {
		while (sorted[i] - sorted[j] >= windowLength) j++;
		max = Math.max(max, i - j + 1);
	}
	return max;
}
