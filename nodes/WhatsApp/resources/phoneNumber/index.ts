import type { INodeProperties } from 'n8n-workflow';
import { descriptionsOf, type Operation } from '../../../shared/operation';
import * as get from './get';
import * as list from './list';

export const operations: Record<string, Operation> = { list, get };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['phoneNumber'] } },
		default: 'list',
		options: [
			{ name: 'Get', value: 'get', action: 'Get a phone number', description: 'Quality rating, throughput and messaging limit of one number' },
			{ name: 'List', value: 'list', action: 'List phone numbers', description: 'Numbers of the WhatsApp Business Account' },
		],
	},
	...descriptionsOf(operations),
];
