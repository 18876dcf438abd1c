import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { graphRequest } from '../../shared/transport';
import type { InstagramOperation } from '../types';
import { commentIdField, readCommentId } from './fields';

const show = { resource: ['comment'], operation: ['delete'] };

export const deleteComment: InstagramOperation = {
	description: [commentIdField(show, 'ID of the comment to delete (on your own posts)')],
	async execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
		const commentId = readCommentId(this, itemIndex);
		const response = await graphRequest(this, { method: 'DELETE', path: `/${commentId}`, itemIndex });
		return { ...response, id: commentId, deleted: true };
	},
};
