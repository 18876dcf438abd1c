import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { graphRequest } from '../../shared/transport';
import { fieldsOption, mediaIdLocator, readFields, readMediaId } from '../common';
import type { InstagramOperation } from '../types';

const show = { resource: ['media'], operation: ['getChildren'] };
const CHILD_FIELDS = ['id', 'media_type', 'media_url', 'thumbnail_url', 'permalink', 'timestamp', 'username', 'shortcode'];
const DEFAULT_CHILD_FIELDS = ['id', 'media_type', 'media_url', 'permalink', 'timestamp'];

export const getChildren: InstagramOperation = {
	description: [
		mediaIdLocator(show, 'The carousel post (CAROUSEL_ALBUM)'),
		fieldsOption('childFields', show, CHILD_FIELDS, DEFAULT_CHILD_FIELDS, 'Fields of each carousel item to return'),
	],
	async execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
		const mediaId = readMediaId(this, itemIndex);
		const response = await graphRequest<{ data?: IDataObject[] }>(this, {
			method: 'GET',
			path: `/${mediaId}/children`,
			qs: { fields: readFields(this, 'childFields', itemIndex, DEFAULT_CHILD_FIELDS) },
			itemIndex,
		});
		return (response.data ?? []).map((child, position) => ({ ...child, parent_id: mediaId, position }));
	},
};
