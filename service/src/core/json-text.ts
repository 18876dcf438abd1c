// Text Postgres cannot store: U+0000 (refused by text and jsonb) and lone UTF-16 surrogates (refused
// by jsonb). Pure helpers to find or replace them, so such input yields a 4xx or is stored with
// U+FFFD instead of failing in the database with a 5xx.

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const UNSTORABLE = new RegExp(`\\u0000|${LONE_SURROGATE.source}`, 'g');

export function isStorableText(text: string): boolean {
	UNSTORABLE.lastIndex = 0;
	return !UNSTORABLE.test(text);
}

/** Replaces U+0000 and lone surrogates with U+FFFD. */
export function toStorableText(text: string): string {
	return isStorableText(text) ? text : text.replace(UNSTORABLE, '\uFFFD');
}

/** True when any string (key or value) inside `value` cannot be stored; iterative. */
export function hasUnstorableText(value: unknown): boolean {
	const stack: unknown[] = [value];
	while (stack.length > 0) {
		const current = stack.pop();
		if (typeof current === 'string') {
			if (!isStorableText(current)) return true;
		} else if (Array.isArray(current)) {
			stack.push(...current);
		} else if (typeof current === 'object' && current !== null) {
			for (const [key, child] of Object.entries(current)) {
				if (!isStorableText(key)) return true;
				stack.push(child);
			}
		}
	}
	return false;
}

// In JSON text, U+0000 and lone surrogates can only arrive as `\u0000` / `\uD800`…`\uDFFF` escapes
// (raw control characters are not valid JSON) or as lone surrogates in the text itself.
const UNSTORABLE_ESCAPE = /\\u(?:0000|[dD][89a-fA-F])/;

/**
 * False when the value parsed from this JSON text cannot hold unstorable text, so it needs no walk
 * (one scan of the text instead of a copy of the whole value). True means: check the value.
 */
export function jsonTextMayHoldUnstorable(text: string): boolean {
	return UNSTORABLE_ESCAPE.test(text) || !isStorableText(text);
}
