import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { getInstagramCredentials, graphRequestAll } from '../../shared/transport';
import { DEFAULT_MEDIA_FIELDS, fieldsOption, MEDIA_FIELDS, readFields, readPaging, returnAllAndLimit } from '../common';
import type { InstagramOperation } from '../types';

const show = { resource: ['media'], operation: ['getMany'] };

export const getMany: InstagramOperation = {
	description: [
		...returnAllAndLimit(show),
		fieldsOption('mediaFields', show, MEDIA_FIELDS, DEFAULT_MEDIA_FIELDS, 'Fields of each post to return'),
	],
	async execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
		const credentials = await getInstagramCredentials(this);
		return await graphRequestAll(
			this,
			{ path: `/${credentials.accountId}/media`, qs: { fields: readFields(this, 'mediaFields', itemIndex, DEFAULT_MEDIA_FIELDS) }, itemIndex },
			readPaging(this, itemIndex),
		);
	},
};
