// What Get Top Media and Get Recent Media share: their fields and the paginated read of one edge.
import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';
import { getInstagramCredentials } from '../../shared/transport';
import { returnAllOrLimit, textField } from '../../../shared/fields';
import { fieldsOption, readEdge } from '../common';
import { assertFacebookLogin } from './guard';

const HASHTAG_MEDIA_FIELDS = [
	'id',
	'caption',
	'media_type',
	'media_url',
	'permalink',
	'timestamp',
	'like_count',
	'comments_count',
	'children',
];
const DEFAULT_HASHTAG_MEDIA_FIELDS = [
	'id',
	'caption',
	'media_type',
	'permalink',
	'timestamp',
	'like_count',
	'comments_count',
];

export const hashtagMediaFields: INodeProperties[] = [
	textField('Hashtag ID', 'hashtagId', { required: true, description: 'The ID returned by Hashtag → Search' }),
	...returnAllOrLimit(),
	fieldsOption(
		'hashtagMediaFields',
		HASHTAG_MEDIA_FIELDS,
		DEFAULT_HASHTAG_MEDIA_FIELDS,
		'Fields of each post to return',
	),
];

/** The posts of a hashtag's `top_media` or `recent_media` edge, each with the hashtag's ID. */
export async function readHashtagMedia(
	this: IExecuteFunctions,
	itemIndex: number,
	edge: 'top_media' | 'recent_media',
): Promise<IDataObject[]> {
	const credentials = await getInstagramCredentials.call(this);
	assertFacebookLogin(this, credentials, itemIndex);
	const hashtagId = String(this.getNodeParameter('hashtagId', itemIndex, '')).trim();
	if (!hashtagId) throw new NodeOperationError(this.getNode(), 'Hashtag ID is empty', { itemIndex });
	const media = await readEdge.call(this, itemIndex, {
		path: `/${hashtagId}/${edge}`,
		fieldsParameter: 'hashtagMediaFields',
		defaults: DEFAULT_HASHTAG_MEDIA_FIELDS,
		qs: { user_id: credentials.accountId },
		pageSize: 50,
		purpose: 'hashtag',
	});
	return media.map((post) => ({ ...post, hashtag_id: hashtagId }));
}
