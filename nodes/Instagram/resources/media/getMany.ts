import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { getInstagramCredentials } from '../../shared/transport';
import { DEFAULT_MEDIA_FIELDS, fieldsOption, MEDIA_FIELDS, readEdge } from '../common';
import { returnAllOrLimit } from '../../../shared/fields';
import { forOperation } from '../../../shared/operation';

export const description = forOperation('media', 'getMany', [
	...returnAllOrLimit(),
	fieldsOption('mediaFields', MEDIA_FIELDS, DEFAULT_MEDIA_FIELDS, 'Fields of each post to return'),
]);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const credentials = await getInstagramCredentials.call(this);
	return await readEdge.call(this, itemIndex, {
		path: `/${credentials.accountId}/media`,
		fieldsParameter: 'mediaFields',
		defaults: DEFAULT_MEDIA_FIELDS,
	});
}
