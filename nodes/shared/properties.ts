// Builders of node properties (fields) that several nodes repeat. Pure.
import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

/** The options of an options field from [name, value] pairs, in the order given. */
export function choices(...pairs: Array<[name: string, value: string]>): INodePropertyOptions[] {
	return pairs.map(([name, value]) => ({ name, value }));
}

/** Return All, and Limit shown only without it: the fields of every list operation. */
export function returnAllAndLimit(): INodeProperties[] {
	return [
		{
			displayName: 'Return All',
			name: 'returnAll',
			type: 'boolean',
			default: false,
			description: 'Whether to return all results or only up to a given limit',
		},
		{
			displayName: 'Limit',
			name: 'limit',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 50,
			displayOptions: { show: { returnAll: [false] } },
			description: 'Max number of results to return',
		},
	];
}

/** A text field (type string, empty by default); `extra` adds required, placeholder, description… */
export function textField(displayName: string, name: string, extra: Partial<INodeProperties> = {}): INodeProperties {
	return { displayName, name, type: 'string', default: '', ...extra };
}
