// Nesting depth of parsed JSON, measured without recursion (a hostile body nested 100,000 levels
// deep must yield a 4xx, not a stack overflow here or in Postgres' jsonb parser).

export const MAX_JSON_DEPTH = 64;

/** True when `value` nests objects/arrays deeper than `max` levels. */
export function jsonDepthExceeds(value: unknown, max: number = MAX_JSON_DEPTH): boolean {
	const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
	while (stack.length > 0) {
		const { value: current, depth } = stack.pop()!;
		if (typeof current !== 'object' || current === null) continue;
		if (depth + 1 > max) return true;
		for (const child of Array.isArray(current) ? current : Object.values(current)) {
			if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: depth + 1 });
		}
	}
	return false;
}

/**
 * False when the value parsed from this JSON text cannot nest deeper than `max` levels: it has no
 * more than `max` opening brackets in all (a bound; brackets inside strings count too). True means:
 * measure the value.
 */
export function jsonTextMayExceedDepth(text: string, max: number = MAX_JSON_DEPTH): boolean {
	let open = 0;
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if ((c === 123 || c === 91) && ++open > max) return true; // { [
	}
	return false;
}
