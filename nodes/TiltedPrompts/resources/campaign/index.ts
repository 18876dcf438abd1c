import type { INodeProperties } from 'n8n-workflow';
import { operationField } from '../../../shared/fields';
import { descriptionsOf, type Operation } from '../../../shared/operation';
import * as claim from './claim';
import * as create from './create';
import * as getReport from './getReport';
import * as recordResults from './recordResults';

export const operations: Record<string, Operation> = { create, claim, recordResults, getReport };

export const description: INodeProperties[] = [
	operationField(
		'campaign',
		[
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
		'create',
	),
	...descriptionsOf(operations),
];
