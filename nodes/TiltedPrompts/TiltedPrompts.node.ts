import {
	NodeConnectionTypes,
	NodeOperationError,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { searchAssets } from './listSearch/searchAssets';
import { bundleDescription, bundleOperations } from './resources/bundle';
import { campaignDescription, campaignOperations } from './resources/campaign';
import { contactDescription, contactOperations } from './resources/contact';
import { libraryDescription, libraryOperations } from './resources/library';
import { serviceDescription, serviceOperations } from './resources/service';
import { errorOutput, toNodeError } from './shared/output';
import type { Operation } from './shared/types';

const operations: Record<string, Record<string, Operation>> = {
	library: libraryOperations,
	bundle: bundleOperations,
	contact: contactOperations,
	campaign: campaignOperations,
	service: serviceOperations,
};

export class TiltedPrompts implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'TiltedPrompts',
		name: 'tiltedPrompts',
		icon: { light: 'file:tiltedprompts.svg', dark: 'file:tiltedprompts.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Work with your TiltedPrompts service: content library, bundles, contacts and campaigns',
		defaults: { name: 'TiltedPrompts' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'tiltedPromptsApi', required: true }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Bundle', value: 'bundle' },
					{ name: 'Campaign', value: 'campaign' },
					{ name: 'Contact', value: 'contact' },
					{ name: 'Library', value: 'library' },
					{ name: 'Service', value: 'service' },
				],
				default: 'library',
			},
			...libraryDescription,
			...bundleDescription,
			...contactDescription,
			...campaignDescription,
			...serviceDescription,
		],
	};

	methods = {
		listSearch: { searchAssets },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const resource = this.getNodeParameter('resource', 0) as string;
		const operationName = this.getNodeParameter('operation', 0) as string;
		const operation = operations[resource]?.[operationName];
		if (!operation) {
			throw new NodeOperationError(this.getNode(), `The operation "${operationName}" of "${resource}" is not supported`);
		}

		if (operation.kind === 'batch') {
			try {
				return [await operation.execute.call(this, items)];
			} catch (error) {
				if (!this.continueOnFail()) throw toNodeError(this.getNode(), error);
				return [[{ json: errorOutput(error), pairedItem: items.map((_, item) => ({ item })) }]];
			}
		}

		const returnData: INodeExecutionData[] = [];
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			try {
				const result = await operation.execute.call(this, itemIndex);
				returnData.push(
					...this.helpers.constructExecutionMetaData(this.helpers.returnJsonArray(result), { itemData: { item: itemIndex } }),
				);
			} catch (error) {
				if (!this.continueOnFail()) throw toNodeError(this.getNode(), error, itemIndex);
				returnData.push({ json: errorOutput(error), pairedItem: { item: itemIndex } });
			}
		}
		return [returnData];
	}
}
