import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { getInstagramCredentials, graphRequest } from '../../shared/transport';
import type { InstagramOperation } from '../types';

const show = { resource: ['account'], operation: ['getProfile'] };
const PROFILE_FIELDS = ['id', 'username', 'name', 'profile_picture_url', 'followers_count', 'follows_count', 'media_count', 'biography', 'website'];

export const getProfile: InstagramOperation = {
	description: [
		{
			displayName: 'Fields',
			name: 'profileFields',
			type: 'multiOptions',
			options: PROFILE_FIELDS.map((field) => ({ name: field, value: field })),
			default: ['id', 'username', 'name', 'followers_count', 'follows_count', 'media_count'],
			displayOptions: { show },
			description: 'Profile fields to return (biography and website need Facebook Login)',
		},
	],
	async execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
		const credentials = await getInstagramCredentials(this);
		const fields = (this.getNodeParameter('profileFields', itemIndex, []) as string[]).filter(Boolean);
		const list = fields.length ? fields : ['id', 'username'];
		return await graphRequest(this, {
			method: 'GET',
			path: `/${credentials.accountId}`,
			qs: { fields: (list.includes('id') ? list : ['id', ...list]).join(',') },
			itemIndex,
		});
	},
};
