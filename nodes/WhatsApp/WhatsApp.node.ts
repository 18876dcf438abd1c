import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { route } from '../shared/router';
import type { OperationTable } from '../shared/operation';
import { searchPhoneNumbers, searchTemplates } from './listSearch';
import * as media from './resources/media';
import * as message from './resources/message';
import * as phoneNumber from './resources/phoneNumber';
import * as template from './resources/template';

/** resource → operation → its module (resources/<resource>/<operation>.ts). */
const operations: OperationTable = {
	message: message.operations,
	media: media.operations,
	template: template.operations,
	phoneNumber: phoneNumber.operations,
};

export class WhatsApp implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'WhatsApp (TiltedPrompts)',
		name: 'whatsApp',
		icon: { light: 'file:whatsapp.svg', dark: 'file:whatsapp.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description:
			'WhatsApp Cloud API: every message type, templates, media, template management and a throttled bulk send',
		defaults: { name: 'WhatsApp' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'whatsAppCloudApi', required: true },
			{
				// Only for Sending Options → Shared Send Budget (the service holds the number's budget).
				name: 'tiltedPromptsApi',
				required: false,
				displayOptions: {
					show: { resource: ['message'], operation: ['send', 'sendTemplate'], 'sendingOptions.sharedBudget': [true] },
				},
			},
		],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Media', value: 'media' },
					{ name: 'Message', value: 'message' },
					{ name: 'Phone Number', value: 'phoneNumber' },
					{ name: 'Template', value: 'template' },
				],
				default: 'message',
			},
			...message.description,
			...media.description,
			...template.description,
			...phoneNumber.description,
		],
	};

	methods = {
		listSearch: { searchPhoneNumbers, searchTemplates },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [await route.call(this, operations)];
	}
}
