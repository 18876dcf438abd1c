import type { IExecuteFunctions, INodeParameters } from 'n8n-workflow';
import { holdsExpression, resolveJsonFields, runParameters } from '../../../nodes/shared/parameters';

/**
 * n8n's getNodeParameter reduced to what runParameters relies on: stored parameters, expressions
 * resolved per item (here `={{ item }}` gives `value-<item>` anywhere in a value), a fallback for a
 * parameter the workflow does not store. Counts the reads.
 */
function context(stored: INodeParameters, items: Array<{ json: Record<string, unknown> }> = []) {
	const reads: string[] = [];
	const resolve = (value: unknown, item: number): unknown => {
		if (typeof value === 'string') return value === '={{ item }}' ? `value-${item}` : value;
		if (Array.isArray(value)) return value.map((v) => resolve(v, item));
		if (value && typeof value === 'object')
			return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, item)]));
		return value;
	};
	const ctx = {
		getNode: () => ({ parameters: stored }),
		getInputData: () => items,
		getNodeParameter: (name: string, item: number, fallback?: unknown, options?: { extractValue?: boolean }) => {
			reads.push(`${name}@${item}`);
			if (!(name in stored)) return fallback;
			const value = resolve(stored[name], item) as { __rl?: boolean; value?: unknown };
			return options?.extractValue && value && typeof value === 'object' && value.__rl ? value.value : value;
		},
	};
	return { ctx: ctx as unknown as IExecuteFunctions, reads };
}

describe('runParameters', () => {
	const stored: INodeParameters = {
		to: '={{ item }}',
		languageCode: 'en',
		bodyParameters: { parameter: [{ text: '={{ item }}' }, { text: 'Masala chai' }] },
		buttonParameters: { button: [{ index: 0, subType: 'url', value: 'masala-chai' }] },
		phoneNumberId: { __rl: true, mode: 'id', value: '106540352242922' },
	};

	it('gives every item its own value of a parameter with an expression, however deep', () => {
		const { ctx, reads } = context(stored);
		const read = runParameters.call(ctx);
		expect([0, 1, 2].map((i) => read('to', i))).toEqual(['value-0', 'value-1', 'value-2']);
		expect([0, 1].map((i) => read('bodyParameters', i))).toEqual([
			{ parameter: [{ text: 'value-0' }, { text: 'Masala chai' }] },
			{ parameter: [{ text: 'value-1' }, { text: 'Masala chai' }] },
		]);
		expect(reads).toEqual(['to@0', 'to@1', 'to@2', 'bodyParameters@0', 'bodyParameters@1']);
	});

	it('reads a parameter without an expression once for the whole run, with the same value', () => {
		const { ctx, reads } = context(stored);
		const read = runParameters.call(ctx);
		const values = [0, 1, 2, 3].map((i) => read('buttonParameters', i));
		expect(values).toEqual(Array(4).fill({ button: [{ index: 0, subType: 'url', value: 'masala-chai' }] }));
		expect([0, 1, 2].map((i) => read('languageCode', i))).toEqual(['en', 'en', 'en']);
		expect(reads).toEqual(['buttonParameters@0', 'languageCode@0']);
	});

	it('keeps a resource locator and its extracted value apart', () => {
		const { ctx } = context(stored);
		const read = runParameters.call(ctx);
		expect(read('phoneNumberId', 0, '', { extractValue: true })).toBe('106540352242922');
		expect(read('phoneNumberId', 1)).toEqual({ __rl: true, mode: 'id', value: '106540352242922' });
		expect(read('phoneNumberId', 2, '', { extractValue: true })).toBe('106540352242922');
	});

	it('asks n8n every time for a parameter the workflow does not store (its fallback may differ)', () => {
		const { ctx, reads } = context(stored);
		const read = runParameters.call(ctx);
		expect([read('headerMediaSource', 0, 'link'), read('headerMediaSource', 1, 'id')]).toEqual(['link', 'id']);
		expect(reads).toEqual(['headerMediaSource@0', 'headerMediaSource@1']);
	});
});

describe('runParameters with expressions that read a text field of the item', () => {
	const stored: INodeParameters = {
		to: '={{ $json.to }}',
		bodyParameters: { parameter: [{ text: '={{ $json.customer.name }}' }, { text: 'Masala chai' }] },
		headerText: '={{ $json.name.toUpperCase() }}',
	};
	const items = [
		{ json: { to: '919876543210', customer: { name: 'Asha' } } },
		{ json: { to: '919812345678', customer: { name: 'Ravi' } } },
		{ json: { to: 919800000000, customer: {} } },
	];

	it('resolves them from each item without asking n8n, and leaves the stored parameter as it was', () => {
		const { ctx, reads } = context(stored, items);
		const read = runParameters.call(ctx);
		expect([0, 1].map((i) => read('to', i))).toEqual(['919876543210', '919812345678']);
		expect(read('bodyParameters', 1)).toEqual({ parameter: [{ text: 'Ravi' }, { text: 'Masala chai' }] });
		expect(reads).toEqual([]);
		expect(stored.bodyParameters).toEqual({
			parameter: [{ text: '={{ $json.customer.name }}' }, { text: 'Masala chai' }],
		});
	});

	it('asks n8n for any other expression, and for a field that is absent or not text', () => {
		const { ctx, reads } = context(stored, items);
		const read = runParameters.call(ctx);
		read('headerText', 0);
		read('to', 2);
		read('bodyParameters', 2);
		expect(reads).toEqual(['headerText@0', 'to@2', 'bodyParameters@2']);
	});
});

describe('resolveJsonFields', () => {
	const json = { to: '919876543210', n: 5, nested: { city: 'Pune' }, list: ['a'], empty: '', nothing: null };
	it.each([
		['={{ $json.to }}', '919876543210'],
		['={{$json.nested.city}}', 'Pune'],
		['={{ $json.empty }}', ''],
		['={{ $json.to ?? $json.recipient }}', '919876543210'],
		['={{ $json.missing ?? $json.none ?? $json.nested.city }}', 'Pune'],
		['={{ $json.nothing ?? $json.to }}', '919876543210'],
		['plain text', 'plain text'],
		[{ a: [{ b: '={{ $json.to }}', c: 3, d: null }] }, { a: [{ b: '919876543210', c: 3, d: null }] }],
	])('%j → %j', (value, expected) => {
		expect(resolveJsonFields(value, json)).toEqual({ value: expected });
	});

	it.each([
		['={{ $json.n }}'], // not text: n8n decides what a number becomes
		['={{ $json.missing }}'],
		['={{ $json.nested }}'],
		['={{ $json.list.length }}'],
		['={{ $json.to.length }}'],
		['={{ $json.constructor }}'],
		['={{ $json.__proto__ }}'],
		['=Hi {{ $json.to }}'],
		['={{ $json.to }} '],
		['={{ $json["to"] }}'],
		['={{ $json.n ?? $json.to }}'], // `??` gives the number
		['={{ $json.missing ?? $json.none }}'],
		['={{ $json.to || $json.n }}'],
		['={{ $json.missing.x ?? $json.to }}'], // reading a field of nothing throws
		['={{ $json.nothing.x ?? $json.to }}'],
		['={{ $json.list.x ?? $json.to }}'],
		['={{ $json.toString ?? $json.to }}'],
		['={{ $fromAI("to") }}'],
		[{ a: ['={{ $json.to }}', '={{ $json.to + 1 }}'] }],
	])('%j → n8n evaluates it', (value) => {
		expect(resolveJsonFields(value, json)).toBeUndefined();
	});
});

describe('holdsExpression', () => {
	it.each([
		['={{ $json.to }}', true],
		['plain', false],
		[{ a: [{ b: '={{ 1 }}' }] }, true],
		[{ a: [{ b: 'x' }], c: 3, d: null }, false],
		[{ __rl: true, mode: 'id', value: '={{ $json.id }}' }, true],
		[undefined, false],
	])('%j → %s', (value, expected) => {
		expect(holdsExpression(value)).toBe(expected);
	});
});
