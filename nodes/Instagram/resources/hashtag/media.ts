import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';
import { getInstagramCredentials, graphRequestAll } from '../../shared/transport';
import { fieldsOption, readFields, readPaging, returnAllAndLimit } from '../common';
import type { InstagramOperation } from '../types';
import { assertFacebookLogin } from './guard';

const HASHTAG_MEDIA_FIELDS = ['id', 'caption', 'media_type', 'media_url', 'permalink', 'timestamp', 'like_count', 'comments_count', 'children'];
const DEFAULT_HASHTAG_MEDIA_FIELDS = ['id', 'caption', 'media_type', 'permalink', 'timestamp', 'like_count', 'comments_count'];

function hashtagMediaOperation(operation: 'topMedia' | 'recentMedia', edge: 'top_media' | 'recent_media'): InstagramOperation {
	const show = { resource: ['hashtag'], operation: [operation] };
	return {
		description: [
			{
				displayName: 'Hashtag ID',
				name: 'hashtagId',
				type: 'string',
				default: '',
				required: true,
				displayOptions: { show },
				description: 'The ID returned by Hashtag → Search',
			},
			...returnAllAndLimit(show),
			fieldsOption('hashtagMediaFields', show, HASHTAG_MEDIA_FIELDS, DEFAULT_HASHTAG_MEDIA_FIELDS, 'Fields of each post to return'),
		],
		async execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
			const credentials = await getInstagramCredentials(this);
			assertFacebookLogin(this, credentials, itemIndex);
			const hashtagId = String(this.getNodeParameter('hashtagId', itemIndex, '')).trim();
			if (!hashtagId) throw new NodeOperationError(this.getNode(), 'Hashtag ID is empty', { itemIndex });
			const media = await graphRequestAll(
				this,
				{
					path: `/${hashtagId}/${edge}`,
					qs: { user_id: credentials.accountId, fields: readFields(this, 'hashtagMediaFields', itemIndex, DEFAULT_HASHTAG_MEDIA_FIELDS) },
					itemIndex,
					context: 'hashtag',
				},
				{ ...readPaging(this, itemIndex), pageSize: 50 },
			);
			return media.map((post) => ({ ...post, hashtag_id: hashtagId }));
		},
	};
}

export const topMedia = hashtagMediaOperation('topMedia', 'top_media');
export const recentMedia = hashtagMediaOperation('recentMedia', 'recent_media');
