import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { getPublishingQuota } from '../../shared/publishing';
import { getInstagramCredentials } from '../../shared/transport';
import { forOperation } from '../../../shared/operation';

export const description = forOperation('publish', 'getQuota', []);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const credentials = await getInstagramCredentials.call(this);
	return { ...(await getPublishingQuota(this, credentials.accountId, itemIndex)) };
}
