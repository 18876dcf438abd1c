import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { segment } from '../../shared/fields';
import { serviceRequest } from '../../shared/transport';
import { forOperation } from '../../../shared/operation';
import { campaignIdField } from './shared';

export const description = forOperation('campaign', 'getReport', [campaignIdField()]);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const campaignId = this.getNodeParameter('campaignId', itemIndex) as string;
	return await serviceRequest.call(this, { method: 'GET', path: `/campaigns/${segment(campaignId)}`, itemIndex });
}
