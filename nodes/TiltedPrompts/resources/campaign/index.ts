import type { INodeProperties } from 'n8n-workflow';
import type { Operation } from '../../shared/types';
import { claim } from './claim';
import { create } from './create';
import { getReport } from './getReport';
import { recordResults } from './recordResults';

export const campaignOperations: Record<string, Operation> = { create, claim, recordResults, getReport };

export const campaignDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['campaign'] } },
		options: [
			{
				name: 'Claim Recipients',
				value: 'claim',
				action: 'Claim the next campaign recipients',
				description: 'Take the next pending recipients (each at most once) to send to',
			},
			{
				name: 'Create',
				value: 'create',
				action: 'Create a campaign',
				description: 'Create a campaign; its audience is the opted-in contacts at this moment',
			},
			{ name: 'Get Report', value: 'getReport', action: 'Get a campaign report', description: 'Counts by state and failure reasons' },
			{
				name: 'Record Results',
				value: 'recordResults',
				action: 'Record campaign send results',
				description: 'Record the WhatsApp node’s results (message ID or error) for the claimed recipients',
			},
		],
		default: 'create',
	},
	...create.description,
	...claim.description,
	...recordResults.description,
	...getReport.description,
];
