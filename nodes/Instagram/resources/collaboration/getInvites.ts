import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { getInstagramCredentials, graphRequestAll } from '../../shared/transport';
import { readPaging } from '../common';
import { assertFacebookLogin, COLLABORATION_FEATURE } from '../hashtag/guard';
import { returnAllOrLimit } from '../../../shared/fields';
import { forOperation } from '../../../shared/operation';

export const description = forOperation('collaboration', 'getInvites', [...returnAllOrLimit()]);

/** GET /{ig-user-id}/collaboration_invites: pending invites from other accounts to co-author their posts. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const credentials = await getInstagramCredentials.call(this);
	assertFacebookLogin(this, credentials, itemIndex, COLLABORATION_FEATURE);
	// Meta counts these calls: 300 per account per 24 h.
	return await graphRequestAll.call(
		this,
		{ path: `/${credentials.accountId}/collaboration_invites`, itemIndex },
		{ ...readPaging(this, itemIndex), pageSize: 50 },
	);
}
