/**
 * Node parameters of a batch run, each read once where it can be. n8n resolves a parameter per item
 * (`getNodeParameter`: a copy of the value, expressions evaluated), which costs real CPU when a bulk
 * send reads a dozen parameters for each of 10,000 items. A parameter whose value holds no
 * expression is the same for every item, so it is read for the first item that asks and reused;
 * a parameter with an expression anywhere in it is read per item, as before.
 *
 * Values read once are shared by every item: callers build new objects from them, never change them.
 */
import type { IExecuteFunctions, IGetNodeParameterOptions, INodeParameters } from 'n8n-workflow';

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

/** A `getNodeParameter` for one run that reads each parameter without an expression only once. */
export function runParameters(this: IExecuteFunctions): ParameterReader {
	const stored: INodeParameters = this.getNode().parameters ?? {};
	const once = new Map<string, unknown>();
	return <T>(name: string, itemIndex: number, fallback?: T, options?: IGetNodeParameterOptions): T => {
		const key = options?.extractValue ? `${name} (value)` : name;
		if (once.has(key)) return once.get(key) as T;
		const value = this.getNodeParameter(name, itemIndex, fallback, options) as T;
		// Only parameters the workflow stores: an absent one is the caller's fallback, which may differ.
		if (Object.prototype.hasOwnProperty.call(stored, name) && !holdsExpression(stored[name])) once.set(key, value);
		return value;
	};
}
