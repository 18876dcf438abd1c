import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';
import { runPublish } from '../../shared/publishing';
import { getInstagramCredentials } from '../../shared/transport';
import { textField } from '../../../shared/fields';
import { forOperation } from '../../../shared/operation';
import { collaboratorParams, collaboratorsField, readCollaborators } from './extras';
import { captionField, MEDIA_KIND_OPTIONS, publishOptions, readPublishOptions } from './options';

export const MIN_CAROUSEL_ITEMS = 2;
export const MAX_CAROUSEL_ITEMS = 10;

export const description = forOperation('publish', 'carousel', [
	{
		displayName: 'Items',
		name: 'carouselItems',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: 'Add Item',
		default: {},
		required: true,
		description: '2 to 10 images or videos, in order',
		options: [
			{
				displayName: 'Item',
				name: 'item',
				values: [
					{
						displayName: 'Type',
						name: 'type',
						type: 'options',
						options: MEDIA_KIND_OPTIONS,
						default: 'image',
					},
					textField('URL', 'url', { description: 'Public URL of the image (JPEG) or video (MP4/MOV)' }),
				],
			},
		],
	},
	captionField(),
	collaboratorsField(),
	publishOptions(),
]);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const credentials = await getInstagramCredentials.call(this);
	const collection = this.getNodeParameter('carouselItems', itemIndex, {}) as {
		item?: Array<{ type?: string; url?: string }>;
	};
	const items = (collection.item ?? []).map((entry) => ({
		type: entry.type === 'video' ? 'video' : 'image',
		url: String(entry.url ?? '').trim(),
	}));
	if (items.length < MIN_CAROUSEL_ITEMS || items.length > MAX_CAROUSEL_ITEMS) {
		throw new NodeOperationError(
			this.getNode(),
			`A carousel needs ${MIN_CAROUSEL_ITEMS} to ${MAX_CAROUSEL_ITEMS} items; got ${items.length}`,
			{ itemIndex },
		);
	}
	const empty = items.findIndex((entry) => !entry.url);
	if (empty >= 0) throw new NodeOperationError(this.getNode(), `Carousel item ${empty + 1} has no URL`, { itemIndex });
	const caption = this.getNodeParameter('caption', itemIndex, '') as string;
	const children = items.map((entry) => ({
		label: entry.type,
		params: (entry.type === 'video'
			? { is_carousel_item: true, media_type: 'VIDEO', video_url: entry.url }
			: { is_carousel_item: true, image_url: entry.url }) as IDataObject,
	}));
	const collaborators = readCollaborators(this, itemIndex);
	// Collaborators go on the carousel container only (Meta refuses them on carousel items).
	const main: IDataObject = { media_type: 'CAROUSEL', ...collaboratorParams(collaborators) };
	if (caption) main.caption = caption;
	const published = await runPublish(
		this,
		credentials.accountId,
		{ children, main: { params: main, label: 'carousel' } },
		readPublishOptions(this, itemIndex),
		itemIndex,
	);
	return collaborators.length ? { ...published, collaborators_invited: collaborators } : published;
}
