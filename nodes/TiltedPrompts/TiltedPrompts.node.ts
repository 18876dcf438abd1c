import { NodeConnectionTypes, type INodeType, type INodeTypeDescription } from 'n8n-workflow';
import { serviceDescription } from './resources/service';

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
		requestDefaults: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			headers: { Accept: 'application/json' },
		},
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [{ name: 'Service', value: 'service' }],
				default: 'service',
			},
			...serviceDescription,
		],
	};
}
