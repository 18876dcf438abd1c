import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { getInstagramCredentials } from '../../shared/transport';
import { DEFAULT_MEDIA_FIELDS, fieldsOption, MEDIA_FIELDS, readEdge } from '../common';
import { returnAllAndLimit } from '../../../shared/properties';
import { forOperation } from '../../../shared/operation';

export const option = { name: 'Get Many', action: 'Get many posts', description: 'The account\'s posts, newest first' };

export const description = forOperation('media', 'getMany', [
	...returnAllAndLimit(),
	fieldsOption('mediaFields', MEDIA_FIELDS, DEFAULT_MEDIA_FIELDS, 'Fields of each post to return'),
]);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const credentials = await getInstagramCredentials.call(this);
	return await readEdge.call(this, itemIndex, { path: `/${credentials.accountId}/media`, fieldsParameter: 'mediaFields', defaults: DEFAULT_MEDIA_FIELDS });
}
