import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { graphRequest } from '../../shared/transport';
import { DEFAULT_MEDIA_FIELDS, fieldsOption, MEDIA_FIELDS, mediaIdLocator, readFields, readMediaId } from '../common';
import { forOperation } from '../../../shared/operation';

export const description = forOperation('media', 'get', [
	mediaIdLocator(),
	fieldsOption('mediaFields', MEDIA_FIELDS, DEFAULT_MEDIA_FIELDS, 'Fields of the post to return'),
]);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	return await graphRequest.call(this, {
		method: 'GET',
		path: `/${readMediaId(this, itemIndex)}`,
		qs: { fields: readFields(this, 'mediaFields', itemIndex, DEFAULT_MEDIA_FIELDS) },
		itemIndex,
	});
}
