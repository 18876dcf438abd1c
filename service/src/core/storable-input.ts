// The first place in a request's input (path parameters, query string, JSON body) that Postgres
// could not store or that nests too deep: text with U+0000 or a lone surrogate (in a value or a
// key), or objects/arrays nested deeper than the limit. Iterative (a body nested 100,000 levels deep
// is answered, not a stack overflow). Pure.
import { MAX_JSON_DEPTH } from './json-depth';
import { isStorableText } from './json-text';

interface InputProblem {
	path: Array<string | number>;
	problem: 'unstorable_text' | 'too_deep';
	message: string;
}

const UNSTORABLE = 'contains U+0000 or a lone surrogate, which cannot be stored';

export function findInputProblem(value: unknown, maxDepth: number = MAX_JSON_DEPTH): InputProblem | undefined {
	const stack: Array<{ value: unknown; path: Array<string | number> }> = [{ value, path: [] }];
	while (stack.length > 0) {
		const { value: current, path } = stack.pop()!;
		if (typeof current === 'string') {
			if (!isStorableText(current)) return { path, problem: 'unstorable_text', message: UNSTORABLE };
			continue;
		}
		if (typeof current !== 'object' || current === null) continue;
		if (path.length >= maxDepth) return { path, problem: 'too_deep', message: `nests deeper than ${maxDepth} levels` };
		const entries: Array<[string | number, unknown]> = Array.isArray(current)
			? current.map((item, index) => [index, item])
			: Object.entries(current);
		for (const [key, child] of entries.reverse()) {
			if (typeof key === 'string' && !isStorableText(key))
				return { path, problem: 'unstorable_text', message: `has a key that ${UNSTORABLE}` };
			stack.push({ value: child, path: [...path, key] });
		}
	}
	return undefined;
}
