import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';
import { getInstagramCredentials, graphRequest } from '../../shared/transport';
import type { InstagramOperation } from '../types';
import { assertFacebookLogin } from './guard';

const show = { resource: ['hashtag'], operation: ['search'] };

export const search: InstagramOperation = {
	description: [
		{
			displayName: 'Hashtag',
			name: 'hashtagName',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'summersale',
			displayOptions: { show },
			description: 'The hashtag without # (an account may query 30 unique hashtags per 7 days)',
		},
	],
	async execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
		const credentials = await getInstagramCredentials(this);
		assertFacebookLogin(this, credentials, itemIndex);
		const name = String(this.getNodeParameter('hashtagName', itemIndex, '')).trim().replace(/^#/, '');
		if (!name) throw new NodeOperationError(this.getNode(), 'Hashtag is empty', { itemIndex });
		const response = await graphRequest<{ data?: Array<{ id: string }> }>(this, {
			method: 'GET',
			path: '/ig_hashtag_search',
			qs: { user_id: credentials.accountId, q: name },
			itemIndex,
			context: 'hashtag',
		});
		const id = response.data?.[0]?.id;
		if (!id) throw new NodeOperationError(this.getNode(), `Instagram knows no hashtag "#${name}"`, { itemIndex });
		return { id, name };
	},
};
