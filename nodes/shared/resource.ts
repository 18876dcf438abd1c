/**
 * A node's Resource selector and each resource's Operation selector, built from the operation
 * modules themselves: an operation file says how it is listed (`option`), so adding an operation
 * is one new file and one line in its resource's index.
 *
 *   resources/<resource>/index.ts
 *     import * as get from './get';
 *     export const operations = { get, … };
 *     export const description = resourceProperties('<resource>', operations, 'get');
 */
import type { INodeProperties } from 'n8n-workflow';
import { descriptionsOf, type Operation } from './operation';

/** How an operation is listed in the Operation selector (its value is its key in the resource's table). */
export interface OperationOption {
	name: string;
	action: string;
	description?: string;
}

export type ListedOperation = Operation & { option: OperationOption };

/** The Operation selector of one resource, its options sorted by name as n8n lists them. */
export function operationField(resource: string, operations: Record<string, ListedOperation>, defaultOperation: string): INodeProperties {
	const options = Object.entries(operations)
		.map(([value, operation]) => ({ ...operation.option, value }))
		.sort((a, b) => a.name.localeCompare(b.name));
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

/** A resource's part of the node's properties: its Operation selector, then every operation's fields. */
export function resourceProperties(resource: string, operations: Record<string, ListedOperation>, defaultOperation: string): INodeProperties[] {
	return [operationField(resource, operations, defaultOperation), ...descriptionsOf(operations)];
}

/** The node's Resource selector: [display name, value] pairs, sorted by name. */
export function resourceField(resources: Array<[name: string, value: string]>, defaultResource: string): INodeProperties {
	const options = resources.map(([name, value]) => ({ name, value })).sort((a, b) => a.name.localeCompare(b.name));
	const field: INodeProperties = { displayName: 'Resource', name: 'resource', type: 'options', noDataExpression: true, options: [], default: '' };
	return { ...field, options, default: defaultResource };
}
