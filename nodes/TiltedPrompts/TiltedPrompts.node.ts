import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { searchAssets } from './listSearch/searchAssets';
import * as bundle from './resources/bundle';
import * as campaign from './resources/campaign';
import * as contact from './resources/contact';
import * as library from './resources/library';
import * as service from './resources/service';
import type { OperationTable } from '../shared/operation';
import { route } from '../shared/router';

const operations: OperationTable = {
	library: library.operations,
	bundle: bundle.operations,
	contact: contact.operations,
	campaign: campaign.operations,
	service: service.operations,
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
			...library.description,
			...bundle.description,
			...contact.description,
			...campaign.description,
			...service.description,
		],
	};

	methods = {
		listSearch: { searchAssets },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [await route.call(this, operations)];
	}
}
