import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { COMMENT_FIELDS, DEFAULT_COMMENT_FIELDS, fieldsOption, readEdge } from '../common';
import { returnAllOrLimit } from '../../../shared/fields';
import { forOperation } from '../../../shared/operation';
import { commentIdField, readCommentId } from './fields';

export const description = forOperation('comment', 'getReplies', [
	commentIdField(),
	...returnAllOrLimit(),
	fieldsOption('replyFields', COMMENT_FIELDS, DEFAULT_COMMENT_FIELDS, 'Fields of each reply to return'),
]);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const commentId = readCommentId(this, itemIndex);
	const replies = await readEdge.call(this, itemIndex, {
		path: `/${commentId}/replies`,
		fieldsParameter: 'replyFields',
		defaults: DEFAULT_COMMENT_FIELDS,
	});
	return replies.map((reply) => ({ ...reply, parent_comment_id: commentId }));
}
