import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { segment } from '../../shared/fields';
import { serviceRequest } from '../../shared/transport';
import type { ItemOperation } from '../../shared/types';
import { campaignIdField } from './shared';

async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const campaignId = this.getNodeParameter('campaignId', itemIndex) as string;
	return await serviceRequest.call(this, { method: 'GET', path: `/campaigns/${segment(campaignId)}`, itemIndex });
}

export const getReport: ItemOperation = { kind: 'item', description: [campaignIdField(['getReport'])], execute };
