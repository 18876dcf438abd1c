import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { COMMENT_FIELDS, DEFAULT_COMMENT_FIELDS, fieldsOption, mediaIdLocator, readEdge, readMediaId } from '../common';
import { returnAllOrLimit } from '../../../shared/fields';
import { forOperation } from '../../../shared/operation';

export const description = forOperation('comment', 'getMany', [
	mediaIdLocator('The post whose comments to get'),
	...returnAllOrLimit(),
	fieldsOption('commentFields', COMMENT_FIELDS, DEFAULT_COMMENT_FIELDS, 'Fields of each comment to return'),
]);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const mediaId = readMediaId(this, itemIndex);
	const comments = await readEdge.call(this, itemIndex, {
		path: `/${mediaId}/comments`,
		fieldsParameter: 'commentFields',
		defaults: DEFAULT_COMMENT_FIELDS,
	});
	return comments.map((comment) => ({ ...comment, media_id: mediaId }));
}
