import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { graphRequestAll } from '../../shared/transport';
import { COMMENT_FIELDS, DEFAULT_COMMENT_FIELDS, fieldsOption, readFields, readPaging, returnAllAndLimit } from '../common';
import type { InstagramOperation } from '../types';
import { commentIdField, readCommentId } from './fields';

const show = { resource: ['comment'], operation: ['getReplies'] };

export const getReplies: InstagramOperation = {
	description: [
		commentIdField(show),
		...returnAllAndLimit(show),
		fieldsOption('replyFields', show, COMMENT_FIELDS, DEFAULT_COMMENT_FIELDS, 'Fields of each reply to return'),
	],
	async execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
		const commentId = readCommentId(this, itemIndex);
		const replies = await graphRequestAll(
			this,
			{ path: `/${commentId}/replies`, qs: { fields: readFields(this, 'replyFields', itemIndex, DEFAULT_COMMENT_FIELDS) }, itemIndex },
			readPaging(this, itemIndex),
		);
		return replies.map((reply) => ({ ...reply, parent_comment_id: commentId }));
	},
};
