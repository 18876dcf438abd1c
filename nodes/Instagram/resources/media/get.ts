import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { graphRequest } from '../../shared/transport';
import { DEFAULT_MEDIA_FIELDS, fieldsOption, MEDIA_FIELDS, mediaIdLocator, readFields, readMediaId } from '../common';
import type { InstagramOperation } from '../types';

const show = { resource: ['media'], operation: ['get'] };

export const get: InstagramOperation = {
	description: [mediaIdLocator(show), fieldsOption('mediaFields', show, MEDIA_FIELDS, DEFAULT_MEDIA_FIELDS, 'Fields of the post to return')],
	async execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
		return await graphRequest(this, {
			method: 'GET',
			path: `/${readMediaId(this, itemIndex)}`,
			qs: { fields: readFields(this, 'mediaFields', itemIndex, DEFAULT_MEDIA_FIELDS) },
			itemIndex,
		});
	},
};
