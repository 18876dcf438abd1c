import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';
import { getInstagramCredentials, graphRequest } from '../../shared/transport';
import { textField } from '../../../shared/fields';
import { forOperation } from '../../../shared/operation';
import { assertFacebookLogin } from './guard';

export const description = forOperation('hashtag', 'search', [
	textField('Hashtag', 'hashtagName', {
		required: true,
		placeholder: 'summersale',
		description: 'The hashtag without # (an account may query 30 unique hashtags per 7 days)',
	}),
]);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const credentials = await getInstagramCredentials.call(this);
	assertFacebookLogin(this, credentials, itemIndex);
	const name = String(this.getNodeParameter('hashtagName', itemIndex, ''))
		.trim()
		.replace(/^#/, '');
	if (!name) throw new NodeOperationError(this.getNode(), 'Hashtag is empty', { itemIndex });
	const response = (await graphRequest.call(this, {
		method: 'GET',
		path: '/ig_hashtag_search',
		qs: { user_id: credentials.accountId, q: name },
		itemIndex,
		purpose: 'hashtag',
	})) as { data?: Array<{ id: string }> };
	const id = response.data?.[0]?.id;
	if (!id) throw new NodeOperationError(this.getNode(), `Instagram knows no hashtag "#${name}"`, { itemIndex });
	return { id, name };
}
