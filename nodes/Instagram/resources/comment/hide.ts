import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { graphRequest } from '../../shared/transport';
import { forOperation } from '../../../shared/operation';
import { commentIdField, readCommentId } from './fields';

export const description = forOperation('comment', 'hide', [
	commentIdField(),
	{
		displayName: 'Hide',
		name: 'hide',
		type: 'boolean',
		default: true,
		description: 'Whether to hide the comment (off: unhide it)',
	},
]);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const commentId = readCommentId(this, itemIndex);
	const hidden = this.getNodeParameter('hide', itemIndex, true) as boolean;
	const response = await graphRequest.call(this, {
		method: 'POST',
		path: `/${commentId}`,
		qs: { hide: hidden },
		itemIndex,
	});
	return { ...response, id: commentId, hidden };
}
