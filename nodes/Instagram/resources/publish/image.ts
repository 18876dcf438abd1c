import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';
import { runPublish } from '../../shared/publishing';
import { getInstagramCredentials } from '../../shared/transport';
import { textField } from '../../../shared/fields';
import { forOperation } from '../../../shared/operation';
import { collaboratorParams, collaboratorsField, readCollaborators } from './extras';
import { captionField, publishOptions, readPublishOptions } from './options';

export const description = forOperation('publish', 'image', [
	textField('Image URL', 'imageUrl', {
		required: true,
		placeholder: 'https://cdn.example.com/post.jpg',
		description: 'Public URL of a JPEG (Instagram downloads it; no login or redirects to HTML)',
	}),
	captionField(),
	textField('Alt Text', 'altText', { description: 'Description of the image for screen readers' }),
	collaboratorsField(),
	publishOptions(),
]);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const credentials = await getInstagramCredentials.call(this);
	const imageUrl = String(this.getNodeParameter('imageUrl', itemIndex, '')).trim();
	if (!imageUrl) throw new NodeOperationError(this.getNode(), 'Image URL is empty', { itemIndex });
	const caption = this.getNodeParameter('caption', itemIndex, '') as string;
	const altText = this.getNodeParameter('altText', itemIndex, '') as string;
	const collaborators = readCollaborators(this, itemIndex);
	const params: IDataObject = { image_url: imageUrl, ...collaboratorParams(collaborators) };
	if (caption) params.caption = caption;
	if (altText) params.alt_text = altText;
	const published = await runPublish(
		this,
		credentials.accountId,
		{ children: [], main: { params, label: 'image' } },
		readPublishOptions(this, itemIndex),
		itemIndex,
	);
	return collaborators.length ? { ...published, collaborators_invited: collaborators } : published;
}
