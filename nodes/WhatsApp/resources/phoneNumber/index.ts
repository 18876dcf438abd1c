import type { INodeProperties } from 'n8n-workflow';
import { operationField } from '../../../shared/fields';
import { descriptionsOf, type Operation } from '../../../shared/operation';
import * as get from './get';
import * as list from './list';

export const operations: Record<string, Operation> = { list, get };

export const description: INodeProperties[] = [
	operationField(
		'phoneNumber',
		[
			{
				name: 'Get',
				value: 'get',
				action: 'Get a phone number',
				description: 'Quality rating, throughput and messaging limit of one number',
			},
			{
				name: 'List',
				value: 'list',
				action: 'List phone numbers',
				description: 'Numbers of the WhatsApp Business Account',
			},
		],
		'list',
	),
	...descriptionsOf(operations),
];
