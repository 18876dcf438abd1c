import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { getInstagramCredentials, graphRequest } from '../../shared/transport';
import { mediaIdLocator, readMediaId } from '../common';
import { assertFacebookLogin, COLLABORATION_FEATURE } from '../hashtag/guard';
import { forOperation } from '../../../shared/operation';

export const description = forOperation('media', 'getCollaborators', [
	mediaIdLocator('Your post (image, reel or carousel) with invited collaborators'),
]);

/** GET /{media-id}/collaborators: one item per invited collaborator with its invite_status (Facebook Login only). */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	assertFacebookLogin(this, await getInstagramCredentials.call(this), itemIndex, COLLABORATION_FEATURE);
	const mediaId = readMediaId(this, itemIndex);
	const response = (await graphRequest.call(this, { method: 'GET', path: `/${mediaId}/collaborators`, itemIndex })) as {
		data?: IDataObject[];
	};
	return (response.data ?? []).map((collaborator) => ({ ...collaborator, media_id: mediaId }));
}
