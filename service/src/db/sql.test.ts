import { sql, toQuery } from './sql';

describe('sql fragments', () => {
	it('numbers the parameters of nested fragments in the order they appear', () => {
		const inner = sql`SELECT * FROM t WHERE a = ${1} AND b = ${'two'}`;
		const query = toQuery(sql`WITH x AS (${inner}), y AS (SELECT ${[3]}::int[]) SELECT ${null}, ${inner}`);
		expect(query.text).toBe(
			'WITH x AS (SELECT * FROM t WHERE a = $1 AND b = $2), y AS (SELECT $3::int[]) SELECT $4, SELECT * FROM t WHERE a = $5 AND b = $6',
		);
		expect(query.values).toEqual([1, 'two', [3], null, 1, 'two']);
	});

	it('keeps dollar signs in the text as they are', () => {
		expect(toQuery(sql`SELECT '$1' || ${'x'}`)).toEqual({ text: "SELECT '$1' || $1", values: ['x'] });
	});
});
