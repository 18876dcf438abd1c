import {
	NodeConnectionTypes,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { searchPhoneNumbers, searchTemplates } from './listSearch';
import { mediaDescription, mediaOperations } from './resources/media';
import { buildSend, buildSendTemplate, markAsRead, messageDescription } from './resources/message';
import { phoneNumberDescription, phoneNumberOperations } from './resources/phoneNumber';
import { templateDescription, templateOperations } from './resources/template';
import { executeBulkSend, limitErrorToNodeError } from './shared/bulkSend';
import { metaErrorFields } from '../shared/metaErrors';
import type { ItemOperation } from './shared/types';

const itemOperations: Record<string, Record<string, ItemOperation>> = {
	message: { markAsRead },
	media: mediaOperations,
	template: templateOperations,
	phoneNumber: phoneNumberOperations,
};

export class WhatsApp implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'WhatsApp (TiltedPrompts)',
		name: 'whatsApp',
		icon: { light: 'file:whatsapp.svg', dark: 'file:whatsapp.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'WhatsApp Cloud API: every message type, templates, media, template management and a throttled bulk send',
		defaults: { name: 'WhatsApp' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'whatsAppCloudApi', required: true }],
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
			...messageDescription,
			...mediaDescription,
			...templateDescription,
			...phoneNumberDescription,
		],
	};

	methods = {
		listSearch: { searchPhoneNumbers, searchTemplates },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const resource = this.getNodeParameter('resource', 0) as string;
		const operation = this.getNodeParameter('operation', 0) as string;
		if (resource === 'message' && operation === 'send') return [await executeBulkSend.call(this, buildSend)];
		if (resource === 'message' && operation === 'sendTemplate') return [await executeBulkSend.call(this, buildSendTemplate)];

		const op = itemOperations[resource]?.[operation];
		if (!op) throw limitErrorToNodeError.call(this, new Error(`Unknown operation ${resource}.${operation}`), 0);
		const items = this.getInputData();
		const output: INodeExecutionData[] = [];
		for (let i = 0; i < items.length; i++) {
			try {
				const result = await op.execute.call(this, i);
				const list = Array.isArray(result) ? result : [result];
				for (const entry of list) {
					if (entry && typeof entry === 'object' && 'json' in entry && (entry as INodeExecutionData).json && typeof (entry as INodeExecutionData).json === 'object' && 'pairedItem' in entry) {
						output.push(entry as INodeExecutionData);
					} else {
						output.push({ json: entry as IDataObject, pairedItem: { item: i } });
					}
				}
			} catch (error) {
				const nodeError = limitErrorToNodeError.call(this, error, i);
				if (!this.continueOnFail()) throw nodeError;
				output.push({
					json: {
						error: {
							message: nodeError.message,
							description: (nodeError as { description?: string }).description ?? null,
							...metaErrorFields(nodeError),
						},
					},
					pairedItem: { item: i },
				});
			}
		}
		return [output];
	}
}
