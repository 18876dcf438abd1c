import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { getInstagramCredentials, graphRequestAll } from '../../shared/transport';
import { DEFAULT_MEDIA_FIELDS, fieldsOption, MEDIA_FIELDS, readFields, readPaging } from '../common';
import { returnAllAndLimit } from '../../../shared/properties';
import { forOperation } from '../../../shared/operation';

export const option = { name: 'Get Many', action: 'Get many posts', description: 'The account\'s posts, newest first' };

export const description = forOperation('media', 'getMany', [
	...returnAllAndLimit(),
	fieldsOption('mediaFields', MEDIA_FIELDS, DEFAULT_MEDIA_FIELDS, 'Fields of each post to return'),
]);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const credentials = await getInstagramCredentials.call(this);
	return await graphRequestAll.call(
		this,
		{ path: `/${credentials.accountId}/media`, qs: { fields: readFields(this, 'mediaFields', itemIndex, DEFAULT_MEDIA_FIELDS) }, itemIndex },
		readPaging(this, itemIndex),
	);
}
