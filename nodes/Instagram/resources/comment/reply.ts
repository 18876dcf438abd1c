import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';
import { graphRequest } from '../../shared/transport';
import { textField } from '../../../shared/fields';
import { forOperation } from '../../../shared/operation';
import { commentIdField, readCommentId } from './fields';

export const description = forOperation('comment', 'reply', [
	commentIdField('ID of the comment to answer publicly'),
	textField('Message', 'message', {
		typeOptions: { rows: 3 },
		required: true,
		description: 'Public reply shown under the comment',
	}),
]);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const commentId = readCommentId(this, itemIndex);
	const message = this.getNodeParameter('message', itemIndex, '') as string;
	if (!message.trim()) throw new NodeOperationError(this.getNode(), 'Message is empty', { itemIndex });
	const response = await graphRequest.call(this, {
		method: 'POST',
		path: `/${commentId}/replies`,
		qs: { message },
		itemIndex,
	});
	return { ...response, replied_to: commentId };
}
