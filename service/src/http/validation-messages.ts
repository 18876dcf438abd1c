// Validation messages that say what was expected and what was received, per field:
// `limit=abc` → "expected a whole number, received the text 'abc'". Pure: zod's issue and the raw
// value sent in, a sentence out. Values of secret-looking fields are described, never echoed.
import type { z } from 'zod';

const EXPECTED: Record<string, string> = {
	number: 'a number',
	int: 'a whole number',
	string: 'text',
	boolean: 'true or false',
	object: 'an object',
	record: 'an object',
	map: 'an object',
	array: 'a list',
	date: 'a date',
	bigint: 'a whole number',
	nonoptional: 'a value',
	undefined: 'nothing',
	null: 'null',
};

const FORMATS: Record<string, string> = {
	uuid: 'a UUID (e.g. 0b8e…-…)',
	guid: 'a UUID',
	email: 'an email address',
	url: 'a URL',
	datetime: 'a date and time with a time zone (ISO 8601, e.g. 2026-12-01T09:30:00Z)',
	date: 'a date (YYYY-MM-DD)',
	regex: 'text in the documented form',
};

const SECRET_FIELD = /secret|token|key|password/i;

type Issue = z.core.$ZodRawIssue;

function branchExpectations(issue: Issue): string[] {
	const branches = (issue as { errors?: Issue[][] }).errors ?? [];
	const expected = branches.flatMap((branch) =>
		branch
			.filter((i) => i.code === 'invalid_type')
			.map(
				(i) => EXPECTED[String((i as { expected?: string }).expected)] ?? String((i as { expected?: string }).expected),
			),
	);
	return [...new Set(expected)];
}

function sizeWord(origin: unknown, n: number): string {
	if (origin === 'string') return `${n} character${n === 1 ? '' : 's'}`;
	if (origin === 'array' || origin === 'set') return `${n} item${n === 1 ? '' : 's'}`;
	return String(n);
}

/** The "expected …" part of a message for a zod issue; undefined keeps zod's own message. */
export function expectedText(issue: Issue): string | undefined {
	const i = issue as Issue & {
		expected?: string;
		values?: unknown[];
		minimum?: unknown;
		maximum?: unknown;
		origin?: string;
		format?: string;
		inclusive?: boolean;
	};
	switch (i.code) {
		case 'invalid_type':
			return `expected ${EXPECTED[String(i.expected)] ?? String(i.expected)}`;
		case 'invalid_union': {
			const options = branchExpectations(issue);
			return options.length ? `expected ${options.join(' or ')}` : undefined;
		}
		case 'invalid_value':
			return `expected ${i.values && i.values.length === 1 ? JSON.stringify(i.values[0]) : `one of ${(i.values ?? []).map((v) => JSON.stringify(v)).join(', ')}`}`;
		case 'too_small':
			return `expected at least ${sizeWord(i.origin, Number(i.minimum) + (i.inclusive === false ? 1 : 0))}`;
		case 'too_big':
			return `expected at most ${sizeWord(i.origin, Number(i.maximum) - (i.inclusive === false ? 1 : 0))}`;
		case 'invalid_format':
			return `expected ${FORMATS[String(i.format)] ?? `text in ${String(i.format)} form`}`;
		case 'not_multiple_of':
			return i.origin === 'number' ? 'expected a whole number' : undefined;
		default:
			return undefined;
	}
}

/** How a received value is described: its kind, and for short harmless values the value itself. */
export function receivedText(value: unknown, field: string): string {
	if (value === undefined) return 'nothing';
	if (value === null) return 'null';
	if (Array.isArray(value)) return `a list of ${value.length} item${value.length === 1 ? '' : 's'}`;
	if (typeof value === 'object') return 'an object';
	if (typeof value === 'string') {
		if (SECRET_FIELD.test(field)) return `text of ${value.length} character${value.length === 1 ? '' : 's'}`;
		if (value === '') return 'empty text';
		const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
		return `the text '${shown}'${value.length > 40 ? ` (${value.length} characters)` : ''}`;
	}
	if (typeof value === 'number') return Number.isInteger(value) ? `the whole number ${value}` : `the number ${value}`;
	if (typeof value === 'boolean') return `${value}`;
	return typeof value;
}

/** The raw value at a zod path. */
export function valueAt(root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
	let value = root;
	for (const part of path) {
		if (value === null || typeof value !== 'object') return undefined;
		value = (value as Record<PropertyKey, unknown>)[part];
	}
	return value;
}

/** Adds ", received …" to a message that says what it expected ("expected …" / "must be …"). */
export function withReceived(message: string, raw: unknown, path: ReadonlyArray<PropertyKey>): string {
	if (!/^(expected|must be) /.test(message) || / received /.test(message)) return message;
	const field = String(path.at(-1) ?? '');
	return `${message}, received ${receivedText(raw, field)}`;
}

/** A zod error map for API input: zod's terse messages replaced by "expected …" ones. */
export const apiErrorMap = (issue: Issue): string | undefined => expectedText(issue);
