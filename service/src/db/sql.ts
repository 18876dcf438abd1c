// SQL fragments that carry their own parameters. `sql` is a tagged template: each interpolated value
// becomes a bind parameter, each interpolated fragment is inlined with its own parameters, and
// `toQuery` numbers them ($1, $2, …) once, at the end. Fragments compose into one statement (e.g.
// the event hook's CTEs) without renumbering text or keeping positional parameter lists by hand.

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
