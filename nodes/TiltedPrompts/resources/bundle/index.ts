import type { INodeProperties } from 'n8n-workflow';
import type { Operation } from '../../shared/types';
import { ingestBundle } from './ingest';

export const bundleOperations: Record<string, Operation> = { ingest: ingestBundle };

export const bundleDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['bundle'] } },
		options: [
			{
				name: 'Ingest',
				value: 'ingest',
				action: 'Ingest a signed bundle',
				description: 'Sign a bundle of library assets (Standard Webhooks) and send it to the service',
			},
		],
		default: 'ingest',
	},
	...ingestBundle.description,
];
