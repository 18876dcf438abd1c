// Small pure helpers to turn node parameters into API fields.
import type { IDataObject } from 'n8n-workflow';

/** "a, b ,c" or ["a","b"] → ["a","b","c"]; empty → []. */
export function toTags(value: unknown): string[] {
	if (Array.isArray(value)) return value.map((tag) => String(tag).trim()).filter(Boolean);
	if (typeof value !== 'string') return [];
	return value
		.split(',')
		.map((tag) => tag.trim())
		.filter(Boolean);
}

/** A JSON parameter: objects stay objects, JSON text is parsed, other text stays text. */
export function toJsonValue(value: unknown): unknown {
	if (typeof value !== 'string') return value;
	const trimmed = value.trim();
	if (/^[[{"]/.test(trimmed)) {
		try {
			return JSON.parse(trimmed);
		} catch {
			return value;
		}
	}
	return value;
}

/** Drops undefined and empty-string values so optional fields are not sent. */
export function compact(object: IDataObject): IDataObject {
	const result: IDataObject = {};
	for (const [key, value] of Object.entries(object)) {
		if (value === undefined || value === '') continue;
		result[key] = value;
	}
	return result;
}

/** The id of a resource locator parameter (list, id or URL mode), or a plain string. */
export function locatorValue(value: unknown): string {
	if (value && typeof value === 'object' && 'value' in value) return String((value as { value: unknown }).value ?? '');
	return String(value ?? '');
}

/** Path segment, escaped. */
export function segment(value: string): string {
	return encodeURIComponent(value.trim());
}
