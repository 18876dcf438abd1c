// Campaign → Pause / Resume / Cancel: one request each; the answer is the campaign report after the
// change (status, summary in plain words, report link for staff).
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { segment } from '../../shared/fields';
import { serviceRequest } from '../../shared/transport';
import { forOperation, type ItemOperation } from '../../../shared/operation';
import { campaignIdField } from './shared';

function controlOperation(action: 'pause' | 'resume' | 'cancel'): ItemOperation {
	const description: INodeProperties[] = forOperation('campaign', action, [campaignIdField()]);
	async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
		const campaignId = this.getNodeParameter('campaignId', itemIndex) as string;
		return await serviceRequest.call(this, {
			method: 'POST',
			path: `/campaigns/${segment(campaignId)}/${action}`,
			itemIndex,
		});
	}
	return { description, execute };
}

export const pause = controlOperation('pause');
export const resume = controlOperation('resume');
export const cancel = controlOperation('cancel');
