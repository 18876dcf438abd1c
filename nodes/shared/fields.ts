// Fields every node repeats: the Operation selector, Return All / Limit, option lists, text fields. Pure.
import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

/** A resource's Operation selector: each option with `action` (and a description where it helps). */
export function operationField(resource: string, options: INodePropertyOptions[], defaultOperation: string): INodeProperties {
	return {
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: [resource] } },
		options,
		default: defaultOperation,
	};
}

/** Return All and Limit of a list operation (shown for one operation with `forOperation`). */
export function returnAllOrLimit(): INodeProperties[] {
	return [
		{ displayName: 'Return All', name: 'returnAll', type: 'boolean', default: false, description: 'Whether to return all results or only up to a given limit' },
		{
			displayName: 'Limit',
			name: 'limit',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 50,
			description: 'Max number of results to return',
			displayOptions: { show: { returnAll: [false] } },
		},
	];
}

/** The options of an options field from [name, value] pairs, in the order given. */
export function choices(...pairs: Array<[name: string, value: string]>): INodePropertyOptions[] {
	return pairs.map(([name, value]) => ({ name, value }));
}

/** A text field (type string, empty by default); `extra` adds required, placeholder, description… */
export function textField(displayName: string, name: string, extra: Partial<INodeProperties> = {}): INodeProperties {
	return { displayName, name, type: 'string', default: '', ...extra };
}
