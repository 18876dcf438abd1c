import type { INodeProperties } from 'n8n-workflow';

export function campaignIdField(): INodeProperties {
	return {
		displayName: 'Campaign ID',
		name: 'campaignId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. 0b6f6b9e-…',
		description: 'The ID returned by Campaign → Create',
	};
}
