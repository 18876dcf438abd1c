/**
 * Node parameters of a batch run, each read once where it can be. n8n resolves a parameter per item
 * (`getNodeParameter`: a copy of the value, expressions evaluated), which costs real CPU when a bulk
 * send reads a dozen parameters for each of 10,000 items. A parameter whose value holds no
 * expression is the same for every item, so it is read for the first item that asks and reused.
 * A parameter whose only expressions read a text field of the item (`={{ $json.to }}`, the usual way
 * a campaign names its recipient; `={{ $json.to ?? $json.recipient }}`) is resolved here from the
 * item (see `resolveJsonFields`): n8n's expression engine costs ~0.4 ms per such read (n8n 2.40,
 * profiled in bench:campaign). Any other expression is n8n's to evaluate, per item, as before.
 *
 * Values read once are shared by every item: callers build new objects from them, never change them.
 */
import type { IDataObject, IExecuteFunctions, IGetNodeParameterOptions, INodeParameters } from 'n8n-workflow';

export type ParameterReader = <T>(
	name: string,
	itemIndex: number,
	fallback?: T,
	options?: IGetNodeParameterOptions,
) => T;

/** True when `value` (a node parameter as stored in the workflow) holds an n8n expression anywhere. */
export function holdsExpression(value: unknown): boolean {
	if (typeof value === 'string') return value.startsWith('=');
	if (Array.isArray(value)) return value.some(holdsExpression);
	if (value !== null && typeof value === 'object') return Object.values(value).some(holdsExpression);
	return false;
}

/** A field of the item read by plain names: `$json.a.b`. */
const FIELD = String.raw`\$json(?:\.[A-Za-z_$][\w$]*)+`;
/**
 * `={{ $json.a.b }}` or `={{ $json.a ?? $json.b }}`: the whole value is one expression that reads
 * fields of the item, the first that is there.
 */
const JSON_FIELDS = new RegExp(String.raw`^=\{\{\s*(${FIELD}(?:\s*\?\?\s*${FIELD})*)\s*\}\}$`);

const own = (value: object, key: string) => Object.prototype.hasOwnProperty.call(value, key);

/**
 * The value at `path` (`$json.a.b`) of `json` as JavaScript reads it, when that is plain: every step
 * through an own property of an object that is not an array, the last one possibly absent (undefined).
 * Undefined otherwise (a step through null or a missing field throws, one through text or an array or
 * to an inherited property reads something else): n8n is then left to it.
 */
function field(json: IDataObject, path: string): { value: unknown } | undefined {
	const keys = path.split('.').slice(1);
	let value: unknown = json;
	for (let i = 0; i < keys.length; i++) {
		if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
		if (!own(value, keys[i])) return i === keys.length - 1 && !(keys[i] in value) ? { value: undefined } : undefined;
		value = (value as IDataObject)[keys[i]];
	}
	return { value };
}

/** The text `a ?? b ?? …` gives (the first field that is neither null nor absent), else undefined. */
function textOfFields(json: IDataObject, fields: string): string | undefined {
	for (const path of fields.split('??')) {
		const read = field(json, path.trim());
		if (!read) return undefined;
		if (read.value === undefined || read.value === null) continue;
		return typeof read.value === 'string' ? read.value : undefined;
	}
	return undefined;
}

/**
 * `value` (a stored parameter) with every `={{ $json.<field> }}` (or `={{ $json.a ?? $json.b }}`) in it
 * replaced by that text field of the item, as n8n's engine resolves it; undefined when any expression
 * in it is another kind, or gives something other than text (a number, an object, nothing: n8n then
 * evaluates the parameter, with its own result or error). `value` itself is not changed.
 */
export function resolveJsonFields(value: unknown, json: IDataObject): { value: unknown } | undefined {
	if (typeof value === 'string') {
		if (!value.startsWith('=')) return { value };
		const match = JSON_FIELDS.exec(value);
		const text = match ? textOfFields(json, match[1]) : undefined;
		return text === undefined ? undefined : { value: text };
	}
	if (value === null || typeof value !== 'object') return { value };
	const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
	const copy: unknown[] | Record<string, unknown> = Array.isArray(value) ? [] : {};
	for (const [key, inner] of entries) {
		const resolved = resolveJsonFields(inner, json);
		if (!resolved) return undefined;
		(copy as Record<string | number, unknown>)[key] = resolved.value;
	}
	return { value: copy };
}

/**
 * A `getNodeParameter` for one run: a parameter without an expression is read once, one whose
 * expressions only read text fields of the item is resolved from the item, any other per item by n8n.
 */
export function runParameters(this: IExecuteFunctions): ParameterReader {
	const stored: INodeParameters = this.getNode().parameters ?? {};
	const items = this.getInputData();
	const once = new Map<string, unknown>();
	return <T>(name: string, itemIndex: number, fallback?: T, options?: IGetNodeParameterOptions): T => {
		const key = options?.extractValue ? `${name} (value)` : name;
		if (once.has(key)) return once.get(key) as T;
		// Only parameters the workflow stores: an absent one is the caller's fallback, which may differ.
		const isStored = own(stored, name);
		const perItem = isStored && holdsExpression(stored[name]);
		const json = items[itemIndex]?.json;
		if (perItem && options === undefined && json) {
			const resolved = resolveJsonFields(stored[name], json);
			if (resolved) return resolved.value as T;
		}
		const value = this.getNodeParameter(name, itemIndex, fallback, options) as T;
		if (isStored && !perItem) once.set(key, value);
		return value;
	};
}
