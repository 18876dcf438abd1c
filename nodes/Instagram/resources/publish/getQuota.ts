import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { getPublishingQuota } from '../../shared/publishing';
import { getInstagramCredentials } from '../../shared/transport';
import type { InstagramOperation } from '../types';

export const getQuota: InstagramOperation = {
	description: [],
	async execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
		const credentials = await getInstagramCredentials(this);
		return { ...(await getPublishingQuota(this, credentials.accountId, itemIndex)) };
	},
};
