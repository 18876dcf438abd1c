// Svix-like delivery schedule: attempt immediately, then after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h,
// 10 h (each delay with ±20 % jitter), then dead letter. Pure module.
export const DEFAULT_RETRY_SCHEDULE = '0,5s,5m,30m,2h,5h,10h,10h';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export class RetryScheduleError extends Error {}

/** Parses "0,5s,5m,30m,2h" into delays in ms; the first entry is the delay before the first attempt. */
export function parseRetrySchedule(value: string): number[] {
	const parts = value
		.split(',')
		.map((p) => p.trim())
		.filter(Boolean);
	if (parts.length === 0) throw new RetryScheduleError('The retry schedule is empty.');
	return parts.map((part) => {
		const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(part);
		if (!match) throw new RetryScheduleError(`"${part}" is not a delay: use a number with ms, s, m, h or d (e.g. 5m).`);
		return Math.round(Number(match[1]) * UNIT_MS[match[2] ?? 's']);
	});
}

/** One duration such as "30d", "15m", "10s", "250ms" (a bare number is seconds). */
export function parseDuration(value: string): number {
	const [ms] = parseRetrySchedule(value);
	if (value.includes(',')) throw new RetryScheduleError(`"${value}" is a list; one duration is expected.`);
	return ms;
}

export type NextAttempt = { kind: 'retry'; delayMs: number } | { kind: 'dead' };

/**
 * After `attemptsMade` failed attempts, when to try again. `random` is injectable for tests; jitter
 * spreads a burst of failures (a subscriber that was down) so they do not all come back at once.
 */
export function nextAttempt(
	schedule: readonly number[],
	attemptsMade: number,
	random: () => number = Math.random,
	jitter = 0.2,
): NextAttempt {
	if (attemptsMade >= schedule.length) return { kind: 'dead' };
	const base = schedule[attemptsMade];
	if (base === 0) return { kind: 'retry', delayMs: 0 };
	const factor = 1 - jitter + 2 * jitter * random();
	return { kind: 'retry', delayMs: Math.max(0, Math.round(base * factor)) };
}
