/**
 * The run loop of every node (like n8n Airtable v2's actions/router.ts): reads `resource` and
 * `operation`, finds the operation module, and runs it.
 *   - Item operation: once per input item; its output is paired with that item. A failing item
 *     stops the run, or with "Continue On Fail" becomes `{ error: errorItem(…) }` and the run goes on.
 *   - Batch operation: once with every item; it pairs its own output. If it throws under
 *     "Continue On Fail", one error item paired with every input item is output.
 *   - An error marked with `stopsRun` (errors.ts) stops the run whatever the error setting.
 */
import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';
import { errorItem, isRunStopper, toNodeError } from './errors';
import { OutputItem, type ItemOperation, type ItemResult, type Operation, type OperationTable } from './operation';

/** The operation module for this run's resource and operation; a NodeOperationError if there is none. */
export function findOperation(this: IExecuteFunctions, table: OperationTable): Operation {
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const operations = Object.prototype.hasOwnProperty.call(table, resource) ? table[resource] : undefined;
	const found =
		operations && Object.prototype.hasOwnProperty.call(operations, operation) ? operations[operation] : undefined;
	if (!found) {
		throw new NodeOperationError(
			this.getNode(),
			`The operation "${operation}" of resource "${resource}" is not supported`,
		);
	}
	return found;
}

/** An item operation's result as output items paired with `itemIndex` (n8n's constructExecutionMetaData). */
export function pairResult(this: IExecuteFunctions, result: ItemResult, itemIndex: number): INodeExecutionData[] {
	const list = Array.isArray(result) ? result : [result];
	const data: INodeExecutionData[] = list.map((entry) =>
		entry instanceof OutputItem
			? { json: entry.json, ...(entry.binary ? { binary: entry.binary } : {}) }
			: { json: entry },
	);
	return this.helpers.constructExecutionMetaData(data, { itemData: { item: itemIndex } });
}

async function runItems(
	this: IExecuteFunctions,
	operation: ItemOperation,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			output.push(...pairResult.call(this, await operation.execute.call(this, itemIndex), itemIndex));
		} catch (error) {
			const nodeError = toNodeError(this.getNode(), error, itemIndex);
			if (!this.continueOnFail() || isRunStopper(error)) throw nodeError;
			output.push({ json: { error: errorItem(nodeError) }, pairedItem: { item: itemIndex } });
		}
	}
	return output;
}

/** Runs one operation over the input items: the body of a node's `execute`. */
export async function runOperation(this: IExecuteFunctions, operation: Operation): Promise<INodeExecutionData[]> {
	const items = this.getInputData();
	if (operation.kind !== 'batch') return await runItems.call(this, operation, items);
	try {
		return await operation.execute.call(this, items);
	} catch (error) {
		const nodeError = toNodeError(this.getNode(), error);
		if (!this.continueOnFail() || isRunStopper(error)) throw nodeError;
		return [{ json: { error: errorItem(nodeError) }, pairedItem: items.map((_, item) => ({ item })) }];
	}
}

/** A node's whole `execute`: `return [await route.call(this, operations)];` */
export async function route(this: IExecuteFunctions, table: OperationTable): Promise<INodeExecutionData[]> {
	return await runOperation.call(this, findOperation.call(this, table));
}
