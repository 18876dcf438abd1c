/**
 * One operation of a node: its fields (`description`) and what it does (`execute`).
 *
 *   nodes/<Node>/resources/<resource>/<operation>.ts
 *     export const description = updateDisplayOptions({ show: { resource: ['x'], operation: ['y'] } }, fields);
 *     export async function execute(this: IExecuteFunctions, itemIndex: number) { … return json; }
 *
 * An item operation runs once per input item; the router pairs its output with that item and
 * applies continue-on-fail. A batch operation takes every input item at once (a throttled bulk
 * send, a bulk import) and returns its own, already paired, output items.
 */
import {
	updateDisplayOptions,
	type IBinaryKeyData,
	type IDataObject,
	type IDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

export { updateDisplayOptions };

/** An output item with binary data, from an item operation (JSON alone needs no wrapper). */
export class OutputItem {
	constructor(
		readonly json: IDataObject,
		readonly binary?: IBinaryKeyData,
	) {}
}

/** What an item operation returns: the JSON of one or more output items, or items with binary data. */
export type ItemResult = IDataObject | IDataObject[] | OutputItem | OutputItem[];

export interface ItemOperation {
	/** 'item' is the default and may be left out. */
	kind?: 'item';
	description: INodeProperties[];
	execute(this: IExecuteFunctions, itemIndex: number): Promise<ItemResult>;
}

export interface BatchOperation {
	kind: 'batch';
	description: INodeProperties[];
	/** Every input item at once; returns output items with their `pairedItem` set. */
	execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]>;
}

export type Operation = ItemOperation | BatchOperation;

/** resource → operation → the operation module. */
export type OperationTable = Record<string, Record<string, Operation>>;

/** Fields shown only for one resource and operation (n8n's `updateDisplayOptions`). */
export function forOperation(
	resource: string,
	operation: string | string[],
	properties: INodeProperties[],
): INodeProperties[] {
	const displayOptions: IDisplayOptions = {
		show: { resource: [resource], operation: Array.isArray(operation) ? operation : [operation] },
	};
	return updateDisplayOptions(displayOptions, properties);
}

/** The descriptions of a resource's operations, in order, for the node's `properties`. */
export function descriptionsOf(operations: Record<string, Operation>): INodeProperties[] {
	return Object.values(operations).flatMap((operation) => operation.description);
}
