import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';
import { textField } from '../../../shared/fields';
import { forOperation } from '../../../shared/operation';
import { sendDirect } from './direct';

export const description = forOperation('message', 'privateReply', [
	{
		displayName:
			"Instagram allows one private reply per comment, sent within 7 days of the comment. It lands in the commenter's inbox (or message requests) with a link to the post.",
		name: 'privateReplyNotice',
		type: 'notice',
		default: '',
	},
	textField('Comment ID', 'commentId', {
		required: true,
		placeholder: '17873440459141021',
		description: 'ID of the comment to answer privately (e.g. from the Instagram Trigger or a comment webhook)',
	}),
	textField('Text', 'text', {
		typeOptions: { rows: 3 },
		required: true,
		description: 'The direct message sent to the commenter',
	}),
]);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const commentId = String(this.getNodeParameter('commentId', itemIndex, '')).trim();
	if (!commentId) throw new NodeOperationError(this.getNode(), 'Comment ID is empty', { itemIndex });
	return {
		...(await sendDirect.call(this, itemIndex, { comment_id: commentId }, 'privateReply')),
		comment_id: commentId,
	};
}
