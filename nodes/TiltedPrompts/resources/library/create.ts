import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { compact, toJsonValue, toTags } from '../../shared/fields';
import { serviceRequest } from '../../shared/transport';
import { collectionField, textField } from '../../../shared/fields';
import { forOperation } from '../../../shared/operation';
import { ASSET_TYPE_OPTIONS } from './shared';

export const description = forOperation('library', 'create', [
	textField('Title', 'title', { required: true }),
	{
		displayName: 'Type',
		name: 'type',
		type: 'options',
		options: ASSET_TYPE_OPTIONS,
		default: 'prompt',
	},
	{
		displayName: 'Content',
		name: 'content',
		type: 'json',
		default: '{}',
		required: true,
		description: 'The asset itself: a JSON object, or a JSON string for plain text',
	},
	collectionField('Additional Fields', 'additionalFields', 'Add Field', [
		{
			displayName: 'Is Premium',
			name: 'is_premium',
			type: 'boolean',
			default: false,
			description: 'Whether only pro users may read this asset',
		},
		textField('Slug', 'slug', {
			placeholder: 'e.g. captions/diwali-sale',
			description: 'Stable key of the asset; a bundle with the same slug updates it',
		}),
		textField('Tags', 'tags', { placeholder: 'e.g. festive, sale', description: 'Comma-separated tags' }),
	]),
]);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const additional = this.getNodeParameter('additionalFields', itemIndex, {}) as IDataObject;
	const body = compact({
		title: this.getNodeParameter('title', itemIndex) as string,
		type: this.getNodeParameter('type', itemIndex) as string,
		content: toJsonValue(this.getNodeParameter('content', itemIndex)) as IDataObject,
		is_premium: additional.is_premium as boolean | undefined,
		slug: additional.slug as string | undefined,
		tags: additional.tags === undefined ? undefined : toTags(additional.tags),
	});
	return await serviceRequest.call(this, { method: 'POST', path: '/library/assets', body, itemIndex });
}
