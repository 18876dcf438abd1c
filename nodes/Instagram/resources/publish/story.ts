import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';
import { runPublish } from '../../shared/publishing';
import { getInstagramCredentials } from '../../shared/transport';
import { textField } from '../../../shared/fields';
import { forOperation } from '../../../shared/operation';
import { MEDIA_KIND_OPTIONS, publishOptions, readPublishOptions } from './options';

export const description = forOperation('publish', 'story', [
	{
		displayName: 'Media Type',
		name: 'storyMediaType',
		type: 'options',
		options: MEDIA_KIND_OPTIONS,
		default: 'image',
	},
	textField('Media URL', 'storyUrl', {
		required: true,
		description: 'Public URL of the image (JPEG) or video (MP4/MOV) for the story',
	}),
	publishOptions(),
]);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const credentials = await getInstagramCredentials.call(this);
	const kind = this.getNodeParameter('storyMediaType', itemIndex, 'image') as string;
	const url = String(this.getNodeParameter('storyUrl', itemIndex, '')).trim();
	if (!url) throw new NodeOperationError(this.getNode(), 'Media URL is empty', { itemIndex });
	const params: IDataObject = { media_type: 'STORIES', [kind === 'video' ? 'video_url' : 'image_url']: url };
	return await runPublish(
		this,
		credentials.accountId,
		{ children: [], main: { params, label: 'story' } },
		readPublishOptions(this, itemIndex),
		itemIndex,
	);
}
