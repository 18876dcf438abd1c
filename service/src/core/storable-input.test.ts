import { findInputProblem } from './storable-input';

describe('findInputProblem', () => {
	it('names the first value Postgres cannot store: U+0000 and lone surrogates, in values and keys', () => {
		expect(findInputProblem({ a: 'ok', b: ['x', 'y\u0000'] })).toMatchObject({
			path: ['b', 1],
			problem: 'unstorable_text',
		});
		expect(findInputProblem({ t: 'half \ud83d pair' })).toMatchObject({ path: ['t'], problem: 'unstorable_text' });
		expect(findInputProblem({ c: { 'k\udc00': 1 } })).toMatchObject({ path: ['c'], problem: 'unstorable_text' });
		expect(findInputProblem({ ok: 'emoji 😀 and ü', n: 1, z: null })).toBeUndefined();
	});

	it('stops at the depth limit without recursion, even 100,000 levels deep', () => {
		let deep: unknown = 'leaf';
		for (let i = 0; i < 100_000; i++) deep = [deep];
		expect(findInputProblem({ content: deep }, 64)).toMatchObject({
			problem: 'too_deep',
			path: ['content', ...Array(63).fill(0)],
		});
		let ok: unknown = 1;
		for (let i = 0; i < 63; i++) ok = { a: ok };
		expect(findInputProblem(ok, 64)).toBeUndefined();
		expect(findInputProblem({ a: ok }, 64)).toBeUndefined();
		expect(findInputProblem({ b: { a: ok } }, 64)).toMatchObject({ problem: 'too_deep' });
	});
});
