import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';
import { runPublish } from '../../shared/publishing';
import { getInstagramCredentials } from '../../shared/transport';
import type { InstagramOperation } from '../types';
import { captionField, publishOptions, readPublishOptions } from './options';

const show = { resource: ['publish'], operation: ['image'] };

export const image: InstagramOperation = {
	description: [
		{
			displayName: 'Image URL',
			name: 'imageUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'https://cdn.example.com/post.jpg',
			displayOptions: { show },
			description: 'Public URL of a JPEG (Instagram downloads it; no login or redirects to HTML)',
		},
		captionField(['image']),
		{
			displayName: 'Alt Text',
			name: 'altText',
			type: 'string',
			default: '',
			displayOptions: { show },
			description: 'Description of the image for screen readers',
		},
		publishOptions(['image']),
	],
	async execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
		const credentials = await getInstagramCredentials(this);
		const imageUrl = String(this.getNodeParameter('imageUrl', itemIndex, '')).trim();
		if (!imageUrl) throw new NodeOperationError(this.getNode(), 'Image URL is empty', { itemIndex });
		const caption = this.getNodeParameter('caption', itemIndex, '') as string;
		const altText = this.getNodeParameter('altText', itemIndex, '') as string;
		const params: IDataObject = { image_url: imageUrl };
		if (caption) params.caption = caption;
		if (altText) params.alt_text = altText;
		return await runPublish(this, credentials.accountId, { children: [], main: { params, label: 'image' } }, readPublishOptions(this, itemIndex), itemIndex);
	},
};
