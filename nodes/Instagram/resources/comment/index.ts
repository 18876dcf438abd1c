import type { INodeProperties } from 'n8n-workflow';
import { operationField } from '../../../shared/fields';
import { descriptionsOf, type Operation } from '../../../shared/operation';
import * as deleteComment from './delete';
import * as getMany from './getMany';
import * as getReplies from './getReplies';
import * as hide from './hide';
import * as reply from './reply';

export const operations: Record<string, Operation> = { getMany, getReplies, reply, hide, delete: deleteComment };

export const description: INodeProperties[] = [
	operationField(
		'comment',
		[
			{ name: 'Delete', value: 'delete', action: 'Delete a comment', description: 'Delete a comment on your post' },
			{
				name: 'Get Many',
				value: 'getMany',
				action: 'Get comments on a post',
				description: 'Top-level comments of a post',
			},
			{ name: 'Get Replies', value: 'getReplies', action: 'Get replies to a comment' },
			{ name: 'Hide or Unhide', value: 'hide', action: 'Hide or unhide a comment' },
			{ name: 'Reply', value: 'reply', action: 'Reply to a comment publicly' },
		],
		'getMany',
	),
	...descriptionsOf(operations),
];
