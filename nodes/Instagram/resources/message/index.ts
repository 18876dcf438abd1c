import type { INodeProperties } from 'n8n-workflow';
import type { OperationMap } from '../types';
import { privateReply } from './privateReply';
import { sendText } from './sendText';

export const messageOperations: OperationMap = { privateReply, sendText };

export const messageDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['message'] } },
		options: [
			{ name: 'Private Reply', value: 'privateReply', action: 'Reply privately to a comment', description: 'Send one DM to the author of a comment' },
			{ name: 'Send Text', value: 'sendText', action: 'Send a text DM', description: 'Message someone who wrote to you in the last 24 h' },
		],
		default: 'privateReply',
	},
	...privateReply.description,
	...sendText.description,
];
