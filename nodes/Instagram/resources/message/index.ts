import type { INodeProperties } from 'n8n-workflow';
import { operationField } from '../../../shared/fields';
import { descriptionsOf, type Operation } from '../../../shared/operation';
import * as privateReply from './privateReply';
import * as sendText from './sendText';

export const operations: Record<string, Operation> = { privateReply, sendText };

export const description: INodeProperties[] = [
	operationField(
		'message',
		[
			{
				name: 'Private Reply',
				value: 'privateReply',
				action: 'Reply privately to a comment',
				description: 'Send one DM to the author of a comment',
			},
			{
				name: 'Send Text',
				value: 'sendText',
				action: 'Send a text DM',
				description: 'Message someone who wrote to you in the last 24 h',
			},
		],
		'privateReply',
	),
	...descriptionsOf(operations),
];
