import type { INodeProperties } from 'n8n-workflow';

const showOnlyForService = { resource: ['service'] };

export const serviceDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: showOnlyForService },
		options: [
			{
				name: 'Get Health',
				value: 'getHealth',
				action: 'Get service health',
				description: 'Check that the TiltedPrompts service is up and which version it runs',
				routing: { request: { method: 'GET', url: '/healthz' } },
			},
		],
		default: 'getHealth',
	},
];
