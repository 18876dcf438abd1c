import { bundleSchema, fieldErrors } from './bundle';

describe('bundle schema', () => {
	const asset = {
		slug: 'welcome-offer',
		type: 'template',
		title: 'Welcome offer',
		content: 'Hi {{1}}!',
		tags: ['offer'],
	};

	it('accepts a bundle and fills defaults', () => {
		const parsed = bundleSchema.parse({
			bundle_id: 'b-1',
			assets: [asset, { ...asset, slug: 'x', is_premium: true, tags: undefined, content: { steps: [1] } }],
		});
		expect(parsed.assets[0].is_premium).toBe(false);
		expect(parsed.assets[1].tags).toEqual([]);
	});

	it('names each invalid field with its path', () => {
		const result = bundleSchema.safeParse({
			bundle_id: '',
			assets: [asset, { ...asset, slug: 'Bad Slug', title: '', type: 'movie' }],
			extra: 1,
		});
		expect(result.success).toBe(false);
		const paths = fieldErrors(result.error!).map((e) => e.path);
		expect(paths).toEqual(expect.arrayContaining(['bundle_id', 'assets[1].slug', 'assets[1].title', 'assets[1].type']));
		expect(fieldErrors(result.error!).find((e) => e.path === '(body)')?.message).toMatch(/extra/);
	});

	it('rejects content nested absurdly deep with a field error', () => {
		let content: Record<string, unknown> = { leaf: true };
		for (let i = 0; i < 1000; i++) content = { next: content };
		const result = bundleSchema.safeParse({ bundle_id: 'b', assets: [{ ...asset, content }] });
		expect(fieldErrors(result.error!)).toEqual([{ path: 'assets[0].content', message: 'nests deeper than 60 levels' }]);
	});

	it('rejects text Postgres cannot store (U+0000, lone surrogates) but keeps emoji', () => {
		const bad = bundleSchema.safeParse({
			bundle_id: 'b',
			assets: [
				{ ...asset, title: 'a\u0000b' },
				{ ...asset, slug: 'y', content: { k: '\ud83d' } },
			],
		});
		expect(fieldErrors(bad.error!).map((e) => e.path)).toEqual(['assets[0]', 'assets[1]']);
		expect(bundleSchema.safeParse({ bundle_id: 'b', assets: [{ ...asset, title: 'Diwali 🪔 offer' }] }).success).toBe(
			true,
		);
	});

	it('rejects the same slug twice in one bundle and an empty bundle', () => {
		const dup = bundleSchema.safeParse({ bundle_id: 'b', assets: [asset, asset] });
		expect(fieldErrors(dup.error!)).toEqual([{ path: 'assets[1].slug', message: 'duplicate slug (also assets[0])' }]);
		expect(bundleSchema.safeParse({ bundle_id: 'b', assets: [] }).success).toBe(false);
	});
});
