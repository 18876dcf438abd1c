import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';
import { compact, locatorValue, segment, toJsonValue, toTags } from '../../shared/fields';
import { serviceRequest } from '../../shared/transport';
import { collectionField, textField } from '../../../shared/fields';
import { forOperation } from '../../../shared/operation';
import { ASSET_TYPE_OPTIONS, assetIdField } from './shared';

export const description = forOperation('library', 'update', [
	assetIdField(),
	collectionField('Update Fields', 'updateFields', 'Add Field', [
		{
			displayName: 'Content',
			name: 'content',
			type: 'json',
			default: '{}',
			description: 'The asset itself: a JSON object, or a JSON string for plain text',
		},
		{
			displayName: 'Is Premium',
			name: 'is_premium',
			type: 'boolean',
			default: false,
			description: 'Whether only pro users may read this asset',
		},
		textField('Tags', 'tags', { description: 'Comma-separated tags (replaces the current tags)' }),
		textField('Title', 'title'),
		{
			displayName: 'Type',
			name: 'type',
			type: 'options',
			options: ASSET_TYPE_OPTIONS,
			default: 'prompt',
		},
	]),
]);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const id = locatorValue(this.getNodeParameter('assetId', itemIndex));
	const fields = this.getNodeParameter('updateFields', itemIndex, {}) as IDataObject;
	const body = compact({
		title: fields.title as string | undefined,
		type: fields.type as string | undefined,
		content: fields.content === undefined ? undefined : (toJsonValue(fields.content) as IDataObject),
		is_premium: fields.is_premium as boolean | undefined,
		tags: fields.tags === undefined ? undefined : toTags(fields.tags),
	});
	if (Object.keys(body).length === 0) {
		throw new NodeOperationError(this.getNode(), 'Nothing to update: add at least one field under Update Fields', {
			itemIndex,
		});
	}
	return await serviceRequest.call(this, { method: 'PATCH', path: `/library/assets/${segment(id)}`, body, itemIndex });
}
