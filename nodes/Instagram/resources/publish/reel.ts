import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';
import { runPublish } from '../../shared/publishing';
import { getInstagramCredentials } from '../../shared/transport';
import { textField } from '../../../shared/fields';
import { forOperation } from '../../../shared/operation';
import { collaboratorParams, collaboratorsField, readCollaborators, trialParams, trialReelField } from './extras';
import { captionField, publishOptions, readPublishOptions } from './options';

export const description = forOperation('publish', 'reel', [
	textField('Video URL', 'videoUrl', {
		required: true,
		placeholder: 'https://cdn.example.com/reel.mp4',
		description: 'Public URL of an MP4/MOV video (H.264, AAC; 3 s to 15 min)',
	}),
	captionField(),
	{
		displayName: 'Share to Feed',
		name: 'shareToFeed',
		type: 'boolean',
		default: true,
		description: 'Whether the reel also appears in the profile feed grid',
	},
	textField('Cover URL', 'coverUrl', { description: 'Public URL of a cover image (optional)' }),
	trialReelField(),
	collaboratorsField(),
	publishOptions(),
]);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const credentials = await getInstagramCredentials.call(this);
	const videoUrl = String(this.getNodeParameter('videoUrl', itemIndex, '')).trim();
	if (!videoUrl) throw new NodeOperationError(this.getNode(), 'Video URL is empty', { itemIndex });
	const caption = this.getNodeParameter('caption', itemIndex, '') as string;
	const coverUrl = String(this.getNodeParameter('coverUrl', itemIndex, '')).trim();
	const collaborators = readCollaborators(this, itemIndex);
	const trial = trialParams(this.getNodeParameter('trialReel', itemIndex, 'off'));
	const params: IDataObject = {
		media_type: 'REELS',
		video_url: videoUrl,
		share_to_feed: this.getNodeParameter('shareToFeed', itemIndex, true) as boolean,
		...trial,
		...collaboratorParams(collaborators),
	};
	if (caption) params.caption = caption;
	if (coverUrl) params.cover_url = coverUrl;
	const published = await runPublish(
		this,
		credentials.accountId,
		{ children: [], main: { params, label: trial.trial_params ? 'trial reel' : 'reel' } },
		readPublishOptions(this, itemIndex),
		itemIndex,
	);
	return {
		...published,
		...(trial.trial_params ? { trial_params: JSON.parse(String(trial.trial_params)) as IDataObject } : {}),
		...(collaborators.length ? { collaborators_invited: collaborators } : {}),
	};
}
