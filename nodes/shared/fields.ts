// Fields every node repeats: the Operation selector, Return All / Limit, option lists, text fields. Pure.
import type { INodeProperties, INodePropertyMode, INodePropertyOptions } from 'n8n-workflow';

/** A resource's Operation selector: each option with `action` (and a description where it helps). */
export function operationField(
	resource: string,
	options: INodePropertyOptions[],
	defaultOperation: string,
): INodeProperties {
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

/** A collection field (Filters, Options, Additional Fields…): optional sub-fields, empty by default. */
export function collectionField(
	displayName: string,
	name: string,
	placeholder: string,
	options: INodeProperties['options'],
	extra: Partial<INodeProperties> = {},
): INodeProperties {
	return { displayName, name, type: 'collection', placeholder, default: {}, options, ...extra };
}

/** A resource locator picked from a searchable list (`searchListMethod`) or typed as an ID (`byId`: placeholder, validation). */
export function listOrIdLocator(
	field: { displayName: string; name: string; description: string; searchListMethod: string },
	byId: Omit<INodePropertyMode, 'displayName' | 'name' | 'type'>,
): INodeProperties {
	return {
		displayName: field.displayName,
		name: field.name,
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		description: field.description,
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				typeOptions: { searchListMethod: field.searchListMethod, searchable: true },
			},
			{ displayName: 'By ID', name: 'id', type: 'string', ...byId },
		],
	};
}
