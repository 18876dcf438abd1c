import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { graphRequest } from '../../shared/transport';
import { fieldsOption, mediaIdLocator, readFields, readMediaId } from '../common';
import { forOperation } from '../../../shared/operation';

const CHILD_FIELDS = [
	'id',
	'media_type',
	'media_url',
	'thumbnail_url',
	'permalink',
	'timestamp',
	'username',
	'shortcode',
];
const DEFAULT_CHILD_FIELDS = ['id', 'media_type', 'media_url', 'permalink', 'timestamp'];

export const description = forOperation('media', 'getChildren', [
	mediaIdLocator('The carousel post (CAROUSEL_ALBUM)'),
	fieldsOption('childFields', CHILD_FIELDS, DEFAULT_CHILD_FIELDS, 'Fields of each carousel item to return'),
]);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const mediaId = readMediaId(this, itemIndex);
	const response = (await graphRequest.call(this, {
		method: 'GET',
		path: `/${mediaId}/children`,
		qs: { fields: readFields(this, 'childFields', itemIndex, DEFAULT_CHILD_FIELDS) },
		itemIndex,
	})) as { data?: IDataObject[] };
	return (response.data ?? []).map((child, position) => ({ ...child, parent_id: mediaId, position }));
}
