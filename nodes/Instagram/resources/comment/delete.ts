import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { graphRequest } from '../../shared/transport';
import { forOperation } from '../../../shared/operation';
import { commentIdField, readCommentId } from './fields';

export const description = forOperation('comment', 'delete', [
	commentIdField('ID of the comment to delete (on your own posts)'),
]);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const commentId = readCommentId(this, itemIndex);
	const response = await graphRequest.call(this, { method: 'DELETE', path: `/${commentId}`, itemIndex });
	return { ...response, id: commentId, deleted: true };
}
