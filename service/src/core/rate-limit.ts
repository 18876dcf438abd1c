// Fixed-window rate-limit maths (pure). The counters live in Postgres so every service instance
// shares one limit; these functions decide windows and answers.

/** Start (ms) of the fixed window that contains `nowMs`. */
export function windowStart(nowMs: number, windowMs: number): number {
	if (!(windowMs > 0)) throw new RangeError('windowMs must be positive');
	return Math.floor(nowMs / windowMs) * windowMs;
}

/** End (ms) of the window that starts at `startMs`: when the counter resets. */
export function windowReset(startMs: number, windowMs: number): number {
	return startMs + windowMs;
}

/** Whole seconds until the reset, at least 1 (a `Retry-After` of 0 invites an immediate retry storm). */
export function retryAfterSeconds(resetMs: number, nowMs: number): number {
	return Math.max(1, Math.ceil((resetMs - nowMs) / 1000));
}

/** Hits counted for a key after one more request, given the stored window and count. */
export function nextCount(
	stored: { windowStartMs: number; hits: number } | undefined,
	currentWindowStartMs: number,
): number {
	return stored && stored.windowStartMs === currentWindowStartMs ? stored.hits + 1 : 1;
}
