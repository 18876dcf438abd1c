import type { INodeProperties } from 'n8n-workflow';
import type { OperationMap } from '../types';
import { deleteComment } from './delete';
import { getMany } from './getMany';
import { getReplies } from './getReplies';
import { hide } from './hide';
import { reply } from './reply';

export const commentOperations: OperationMap = { getMany, getReplies, reply, hide, delete: deleteComment };

export const commentDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['comment'] } },
		options: [
			{ name: 'Delete', value: 'delete', action: 'Delete a comment', description: 'Delete a comment on your post' },
			{ name: 'Get Many', value: 'getMany', action: 'Get comments on a post', description: 'Top-level comments of a post' },
			{ name: 'Get Replies', value: 'getReplies', action: 'Get replies to a comment' },
			{ name: 'Hide or Unhide', value: 'hide', action: 'Hide or unhide a comment' },
			{ name: 'Reply', value: 'reply', action: 'Reply to a comment publicly' },
		],
		default: 'getMany',
	},
	...getMany.description,
	...getReplies.description,
	...reply.description,
	...hide.description,
	...deleteComment.description,
];
