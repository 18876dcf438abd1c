import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';
import { graphRequest } from '../../shared/transport';
import type { InstagramOperation } from '../types';
import { commentIdField, readCommentId } from './fields';

const show = { resource: ['comment'], operation: ['reply'] };

export const reply: InstagramOperation = {
	description: [
		commentIdField(show, 'ID of the comment to answer publicly'),
		{
			displayName: 'Message',
			name: 'message',
			type: 'string',
			typeOptions: { rows: 3 },
			default: '',
			required: true,
			displayOptions: { show },
			description: 'Public reply shown under the comment',
		},
	],
	async execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
		const commentId = readCommentId(this, itemIndex);
		const message = this.getNodeParameter('message', itemIndex, '') as string;
		if (!message.trim()) throw new NodeOperationError(this.getNode(), 'Message is empty', { itemIndex });
		const response = await graphRequest(this, { method: 'POST', path: `/${commentId}/replies`, qs: { message }, itemIndex });
		return { ...response, replied_to: commentId };
	},
};
