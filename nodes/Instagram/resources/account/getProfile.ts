import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { getInstagramCredentials, graphRequest } from '../../shared/transport';
import { forOperation } from '../../../shared/operation';

const PROFILE_FIELDS = [
	'id',
	'username',
	'name',
	'profile_picture_url',
	'followers_count',
	'follows_count',
	'media_count',
	'biography',
	'website',
];

export const description = forOperation('account', 'getProfile', [
	{
		displayName: 'Fields',
		name: 'profileFields',
		type: 'multiOptions',
		options: PROFILE_FIELDS.map((field) => ({ name: field, value: field })),
		default: ['id', 'username', 'name', 'followers_count', 'follows_count', 'media_count'],
		description: 'Profile fields to return (biography and website need Facebook Login)',
	},
]);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const credentials = await getInstagramCredentials.call(this);
	const fields = (this.getNodeParameter('profileFields', itemIndex, []) as string[]).filter(Boolean);
	const list = fields.length ? fields : ['id', 'username'];
	return await graphRequest.call(this, {
		method: 'GET',
		path: `/${credentials.accountId}`,
		qs: { fields: (list.includes('id') ? list : ['id', ...list]).join(',') },
		itemIndex,
	});
}
