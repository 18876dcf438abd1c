// fast-check arbitraries for hostile requests, derived from a route's declaration: valid-looking
// values generated from the JSON Schema of its zod schemas (the same document /openapi.json serves),
// then one part made hostile — text Postgres cannot store, deep nesting, numbers beyond any column,
// wrong types, prototype keys, forged cursors.
import fc from 'fast-check';

export interface Schema {
	type?: string | string[];
	properties?: Record<string, Schema>;
	required?: string[];
	items?: Schema;
	anyOf?: Schema[];
	enum?: unknown[];
	minLength?: number;
	maxLength?: number;
	pattern?: string;
	format?: string;
	minimum?: number;
	maximum?: number;
	minItems?: number;
	maxItems?: number;
	additionalProperties?: Schema | boolean;
}

const loneSurrogates = fc.string({
	unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
	minLength: 1,
	maxLength: 3,
});

export const hostileString: fc.Arbitrary<string> = fc.oneof(
	fc.constantFrom(
		'\u0000',
		'a\u0000b',
		'\ud800',
		'x\udfff',
		'\udc00\ud800',
		'__proto__',
		'constructor',
		'prototype',
		'',
		' ',
		'9'.repeat(300),
		'-1',
		'1e309',
		'NaN',
		'null',
		"'; SELECT pg_sleep(1)--",
		'../../etc/passwd',
		'2026-13-45 99:99:99+00',
		'infinity',
		'%',
	),
	loneSurrogates,
	fc.string({ maxLength: 40 }).map((s) => `${s}\u0000`),
	fc.string({ unit: 'binary', maxLength: 40 }),
);

export const hugeNumber = fc.constantFrom(
	2 ** 31,
	-(2 ** 31) - 1,
	2 ** 53 + 2,
	2 ** 63,
	-(2 ** 63),
	1e308,
	-1e308,
	-0,
	0.5,
	Number.MAX_SAFE_INTEGER,
	-1,
);

/** Objects and arrays nested `depth` levels deep. */
export function nested(depth: number): unknown {
	let value: unknown = 'leaf';
	for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { k: value };
	return value;
}

/** Own `__proto__` / `constructor` keys, as JSON.parse makes them. */
const prototypeKeys = fc.constantFrom(
	'{"__proto__":{"polluted":true}}',
	'{"constructor":{"prototype":{"polluted":true}}}',
	'{"__proto__":null,"toString":"x","hasOwnProperty":1}',
);

export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
	hostileString,
	hugeNumber,
	fc.boolean(),
	fc.constant(null),
	fc.integer({ min: 65, max: 3000 }).map(nested),
	fc.array(hostileString, { maxLength: 3 }),
	prototypeKeys.map((text) => JSON.parse(text)),
	fc.jsonValue({ maxDepth: 2 }),
);

/** Values the schema accepts (mostly): the base that a hostile part is put into. */
export function fromSchema(schema: Schema): fc.Arbitrary<unknown> {
	if (schema.anyOf) return fc.oneof(...schema.anyOf.map(fromSchema));
	if (schema.enum) return fc.constantFrom(...schema.enum);
	if (Array.isArray(schema.type)) return fc.oneof(...schema.type.map((type) => fromSchema({ ...schema, type })));
	switch (schema.type) {
		case 'string':
			return stringFor(schema);
		case 'integer': {
			// In range of the schema, often at its edges or beyond 32 bits (what a database column may not hold).
			const [min, max] = [schema.minimum ?? -(2 ** 53) + 1, schema.maximum ?? 2 ** 53 - 1];
			const edges = [min, max, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 - 1].filter((n) => n >= min && n <= max);
			return fc.oneof(fc.integer({ min: Math.max(min, -1e6), max: Math.min(max, 1e6) }), fc.constantFrom(...edges));
		}
		case 'number':
			return fc.double({ noNaN: true, noDefaultInfinity: true });
		case 'boolean':
			return fc.boolean();
		case 'null':
			return fc.constant(null);
		case 'array':
			return fc.array(fromSchema(schema.items ?? {}), {
				minLength: schema.minItems ?? 0,
				maxLength: Math.max(schema.minItems ?? 0, Math.min(schema.maxItems ?? 3, 3)),
			});
		case 'object': {
			if (!schema.properties) {
				// Free-form JSON: keys and values with unstorable text, nesting without bound, prototype keys.
				return fc.oneof(
					fc.dictionary(
						fc.oneof(fc.string({ maxLength: 8 }), hostileString),
						fc.oneof(fc.jsonValue({ maxDepth: 3 }), hostileString),
						{ maxKeys: 4 },
					),
					fc.integer({ min: 60, max: 3000 }).map((depth) => ({ deep: nested(depth) })),
					prototypeKeys.map((text) => JSON.parse(text)),
				);
			}
			const keys = Object.fromEntries(
				Object.entries(schema.properties).map(([name, property]) => [name, fromSchema(property)]),
			);
			return fc.record(keys, { requiredKeys: schema.required ?? [] });
		}
		default:
			return fc.jsonValue({ maxDepth: 2 });
	}
}

function stringFor(schema: Schema): fc.Arbitrary<string> {
	const max = Math.min(schema.maxLength ?? 30, 30);
	if (schema.format === 'uuid') return fc.uuid();
	if (schema.format === 'uri') return fc.webUrl();
	if (schema.format === 'date-time')
		return fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }).map((d) => d.toISOString());
	if (schema.pattern)
		return fc
			.stringMatching(new RegExp(schema.pattern))
			.map((s) => s.slice(0, Math.max(schema.maxLength ?? 200, schema.minLength ?? 1)));
	const plain = fc.string({ minLength: Math.min(schema.minLength ?? 0, max), maxLength: max });
	// Free text of the right type and length with U+0000 or a lone surrogate inside.
	const unstorable = fc.tuple(plain, fc.constantFrom('\u0000', '\ud800', '\udfff'), fc.nat()).map(([text, bad, at]) => {
		const room = text.slice(0, Math.max(0, (schema.maxLength ?? Infinity) - 1));
		const i = at % (room.length + 1);
		return `${room.slice(0, i)}${bad}${room.slice(i)}`;
	});
	return fc.oneof({ weight: 3, arbitrary: plain }, { weight: 2, arbitrary: unstorable });
}

/** Every place in a JSON value (the root first): where a hostile part can go. */
function places(
	value: unknown,
	path: Array<string | number> = [],
	out: Array<Array<string | number>> = [],
): Array<Array<string | number>> {
	out.push(path);
	if (path.length >= 8) return out; // generated nesting goes far deeper; places near the top suffice
	if (Array.isArray(value)) value.forEach((item, index) => places(item, [...path, index], out));
	else if (typeof value === 'object' && value !== null)
		for (const [key, item] of Object.entries(value)) places(item, [...path, key], out);
	return out;
}

function replaceAt(value: unknown, path: Array<string | number>, replacement: unknown): unknown {
	if (path.length === 0) return replacement;
	const copy: any = Array.isArray(value) ? [...value] : { ...(value as object) };
	copy[path[0]] = replaceAt(copy[path[0]], path.slice(1), replacement);
	return copy;
}

/** A value of `schema` with one hostile part (or a prototype key added, or left as it is). */
export function hostileFor(schema: Schema): fc.Arbitrary<unknown> {
	return fc
		.tuple(
			fromSchema(schema),
			fc.nat(),
			hostileValue,
			fc.constantFrom('replace', 'prototype', 'none', 'none'),
			prototypeKeys,
		)
		.map(([base, pick, hostile, how, proto]) => {
			const all = places(base);
			const path = all[pick % all.length];
			if (how === 'replace') return replaceAt(base, path, hostile);
			if (how === 'prototype') {
				const objects = all.filter((p) => {
					const v = p.reduce<any>((acc, k) => acc?.[k], base);
					return typeof v === 'object' && v !== null && !Array.isArray(v);
				});
				if (objects.length === 0) return base;
				const at = objects[pick % objects.length];
				const target = at.reduce<any>((acc, k) => acc[k], base);
				return replaceAt(base, at, Object.assign(JSON.parse(proto), target));
			}
			return base;
		});
}

const b64 = (value: unknown) =>
	Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** Cursors this API never returned: wrong shapes, wrong types, timestamps that are not timestamps. */
export const forgedCursor: fc.Arbitrary<string> = fc.oneof(
	{
		weight: 4,
		arbitrary: fc
			.record({
				at: fc.oneof(
					hostileString,
					fc.constantFrom('2026-02-30 10:00:00+00', 'yesterday', '10:00', '2026-05-01T10:00:00Z'),
				),
				id: fc.uuid(),
			})
			.map(b64),
	},
	fc
		.record({
			at: fc.oneof(
				hugeNumber,
				fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
			),
			id: fc.oneof(hostileString, fc.uuid()),
		})
		.map(b64),
	fc.oneof(hostileString, fc.string({ unit: 'binary', maxLength: 12 })).map(b64),
	fc.jsonValue({ maxDepth: 2 }).map(b64),
	hostileString,
);

/** Percent-encoding that also carries lone surrogates (as their WTF-8 bytes). */
export function encode(text: string): string {
	let out = '';
	for (const char of text) {
		const code = char.codePointAt(0)!;
		if (code >= 0xd800 && code <= 0xdfff)
			out += [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
				.map((b) => `%${b.toString(16).toUpperCase()}`)
				.join('');
		else out += encodeURIComponent(char);
	}
	return out;
}
