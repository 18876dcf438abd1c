// SQL fragments that carry their own parameters. `sql` is a tagged template: each interpolated value
// becomes a bind parameter, each interpolated fragment is inlined with its own parameters, and
// `toQuery` numbers them ($1, $2, …) once, at the end. Fragments compose into one statement (e.g.
// the event hook's CTEs) without renumbering text or keeping positional parameter lists by hand.

import { createHash } from 'node:crypto';

export class SqlFragment {
	constructor(
		readonly strings: readonly string[],
		readonly values: readonly unknown[],
	) {}
}

export function sql(strings: TemplateStringsArray, ...values: unknown[]): SqlFragment {
	return new SqlFragment(strings, values);
}

/** The text with numbered placeholders and the values in order, as `pg`'s `query()` takes them. */
export function toQuery(fragment: SqlFragment): { text: string; values: unknown[] } {
	const values: unknown[] = [];
	const render = (part: SqlFragment): string =>
		part.strings.reduce((text, string, index) => {
			if (index === 0) return string;
			const value = part.values[index - 1];
			if (value instanceof SqlFragment) return `${text}${render(value)}${string}`;
			values.push(value);
			return `${text}$${values.length}${string}`;
		}, '');
	return { text: render(fragment), values };
}

const statementNames = new Map<string, string>();

/**
 * `query` as a named prepared statement (Postgres parses and plans it once per connection) when
 * `prepared`, named after a hash of its text: a composed statement whose text varies gets one name
 * per text, and the same text always the same name.
 */
export function preparedQuery(
	query: { text: string; values: unknown[] },
	prepared: boolean,
): { name?: string; text: string; values: unknown[] } {
	if (!prepared) return query;
	let name = statementNames.get(query.text);
	if (name === undefined) {
		name = `q_${createHash('sha256').update(query.text).digest('hex').slice(0, 24)}`;
		if (statementNames.size < 1_000) statementNames.set(query.text, name);
	}
	return { name, ...query };
}

/**
 * Work written as part of a larger statement: CTEs (`name AS (…)`, joined with commas by whoever
 * composes the statement) and a scalar expression of its result.
 */
export interface StatementWork {
	ctes: SqlFragment[];
	result: SqlFragment;
}

/** Text inlined as it is: only for names the code itself makes, never for input. */
export function raw(text: string): SqlFragment {
	return new SqlFragment([text], []);
}

/** The fragments one after another (with `separator` between them). */
export function join(fragments: readonly SqlFragment[], separator = ''): SqlFragment {
	if (fragments.length === 0) return raw('');
	const strings = ['', ...fragments.slice(1).map(() => separator), ''];
	return new SqlFragment(strings, fragments);
}
