// Pure readers of HTTP response headers, shared by every transport. No I/O, no clock of their own.

export type HeaderBag = Record<string, unknown> | undefined;

/** A header's value, whatever the case of its name; several values are joined with ",". */
export function headerValue(headers: HeaderBag, name: string): string | undefined {
	if (!headers) return undefined;
	const wanted = name.toLowerCase();
	for (const [key, value] of Object.entries(headers)) {
		if (key.toLowerCase() !== wanted) continue;
		if (Array.isArray(value)) return value.map(String).join(',');
		return value === undefined || value === null ? undefined : String(value);
	}
	return undefined;
}

/**
 * A `Retry-After` value (delta-seconds or an HTTP date) in milliseconds, if present and readable;
 * a date in the past gives 0. The one Retry-After parser of the package.
 */
export function parseRetryAfter(value: unknown, now = Date.now()): number | undefined {
	const raw = Array.isArray(value) ? value[0] : value;
	if (raw === undefined || raw === null) return undefined;
	const text = String(raw).trim();
	if (text === '') return undefined;
	if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
	// An HTTP date names its day and month ("Wed, 21 Oct 2026 07:28:00 GMT"); "-5" is no date.
	const date = /[a-z]/i.test(text) ? Date.parse(text) : NaN;
	return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The `Retry-After` of a response, in milliseconds. */
export function retryAfterFromHeaders(headers: HeaderBag, now = Date.now()): number | undefined {
	if (!headers) return undefined;
	for (const [key, value] of Object.entries(headers)) {
		if (key.toLowerCase() === 'retry-after') return parseRetryAfter(value, now);
	}
	return undefined;
}
