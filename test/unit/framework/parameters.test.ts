import type { IExecuteFunctions, INodeParameters } from 'n8n-workflow';
import { holdsExpression, runParameters } from '../../../nodes/shared/parameters';

/**
 * n8n's getNodeParameter reduced to what runParameters relies on: stored parameters, expressions
 * resolved per item (here `={{ item }}` gives `value-<item>` anywhere in a value), a fallback for a
 * parameter the workflow does not store. Counts the reads.
 */
function context(stored: INodeParameters) {
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
