import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { graphRequest } from '../../shared/transport';
import type { InstagramOperation } from '../types';
import { commentIdField, readCommentId } from './fields';

const show = { resource: ['comment'], operation: ['hide'] };

export const hide: InstagramOperation = {
	description: [
		commentIdField(show),
		{
			displayName: 'Hide',
			name: 'hide',
			type: 'boolean',
			default: true,
			displayOptions: { show },
			description: 'Whether to hide the comment (off: unhide it)',
		},
	],
	async execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
		const commentId = readCommentId(this, itemIndex);
		const hidden = this.getNodeParameter('hide', itemIndex, true) as boolean;
		const response = await graphRequest(this, { method: 'POST', path: `/${commentId}`, qs: { hide: hidden }, itemIndex });
		return { ...response, id: commentId, hidden };
	},
};
