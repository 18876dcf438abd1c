import { preparedQuery, sql, toQuery } from './sql';

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

	it('names a prepared statement after its text: the same text the same name, another text another name', () => {
		const a = preparedQuery(toQuery(sql`SELECT ${1}`), true);
		const again = preparedQuery(toQuery(sql`SELECT ${2}`), true);
		const other = preparedQuery(toQuery(sql`SELECT ${1}, ${2}`), true);
		expect(a.name).toMatch(/^q_[0-9a-f]{24}$/);
		expect(again).toEqual({ name: a.name, text: 'SELECT $1', values: [2] });
		expect(other.name).not.toBe(a.name);
		expect(preparedQuery(toQuery(sql`SELECT ${1}`), false)).toEqual({ text: 'SELECT $1', values: [1] });
	});
});
