import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { graphRequestAll } from '../../shared/transport';
import { COMMENT_FIELDS, DEFAULT_COMMENT_FIELDS, fieldsOption, mediaIdLocator, readFields, readMediaId, readPaging, returnAllAndLimit } from '../common';
import type { InstagramOperation } from '../types';

const show = { resource: ['comment'], operation: ['getMany'] };

export const getMany: InstagramOperation = {
	description: [
		mediaIdLocator(show, 'The post whose comments to get'),
		...returnAllAndLimit(show),
		fieldsOption('commentFields', show, COMMENT_FIELDS, DEFAULT_COMMENT_FIELDS, 'Fields of each comment to return'),
	],
	async execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
		const mediaId = readMediaId(this, itemIndex);
		const comments = await graphRequestAll(
			this,
			{ path: `/${mediaId}/comments`, qs: { fields: readFields(this, 'commentFields', itemIndex, DEFAULT_COMMENT_FIELDS) }, itemIndex },
			readPaging(this, itemIndex),
		);
		return comments.map((comment) => ({ ...comment, media_id: mediaId }));
	},
};
