import type { INodeProperties } from 'n8n-workflow';
import { operationField } from '../../../shared/fields';
import { descriptionsOf, type Operation } from '../../../shared/operation';
import * as claim from './claim';
import { cancel, pause, resume } from './control';
import * as create from './create';
import * as getReport from './getReport';
import * as recordResults from './recordResults';

export const operations: Record<string, Operation> = { create, claim, recordResults, getReport, pause, resume, cancel };

export const description: INodeProperties[] = [
	operationField(
		'campaign',
		[
			{
				name: 'Cancel',
				value: 'cancel',
				action: 'Cancel a campaign',
				description: 'Stop the campaign: recipients not yet claimed are not sent to',
			},
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
			{
				name: 'Get Report',
				value: 'getReport',
				action: 'Get a campaign report',
				description:
					'Status, a one-line summary for staff, the funnel (sent, delivered, read, replied, failed by reason) and the report page link',
			},
			{
				name: 'Pause',
				value: 'pause',
				action: 'Pause a campaign',
				description: 'Claims hand out nobody until the campaign is resumed',
			},
			{
				name: 'Record Results',
				value: 'recordResults',
				action: 'Record campaign send results',
				description: 'Record the WhatsApp node’s results (message ID or error) for the claimed recipients',
			},
			{
				name: 'Resume',
				value: 'resume',
				action: 'Resume a campaign',
				description: 'Continue a paused or failed campaign; each recipient is still sent at most once',
			},
		],
		'create',
	),
	...descriptionsOf(operations),
];
