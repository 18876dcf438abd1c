import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { segment } from '../../shared/fields';
import { serviceRequest } from '../../shared/transport';
import { collectionField } from '../../../shared/fields';
import { forOperation } from '../../../shared/operation';
import { campaignIdField } from './shared';

export const description = forOperation('campaign', 'claim', [
	campaignIdField(),
	{
		displayName: 'Batch Size',
		name: 'batchSize',
		type: 'number',
		default: 100,
		typeOptions: { minValue: 1, maxValue: 1000 },
		description:
			'How many pending recipients to claim. Each is claimed once: two workflows never get the same recipient.',
	},
	collectionField('Options', 'claimOptions', 'Add Option', [
		{
			displayName: 'Resend Unknown',
			name: 'resend_unknown',
			type: 'boolean',
			default: false,
			description:
				'Whether to also claim recipients whose earlier claim timed out (state unknown: the message may or may not have been sent)',
		},
	]),
]);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const campaignId = this.getNodeParameter('campaignId', itemIndex) as string;
	const limit = this.getNodeParameter('batchSize', itemIndex, 100) as number;
	const options = this.getNodeParameter('claimOptions', itemIndex, {}) as IDataObject;
	const response = (await serviceRequest.call(this, {
		method: 'POST',
		path: `/campaigns/${segment(campaignId)}/claim`,
		body: { limit, ...(options.resend_unknown ? { resend_unknown: true } : {}) },
		itemIndex,
	})) as IDataObject;
	const recipients = (Array.isArray(response.data) ? response.data : (response.recipients ?? [])) as IDataObject[];
	// One item per recipient, carrying the campaign so the nodes after WhatsApp can record results.
	return recipients.map((recipient) => ({ campaign_id: campaignId, ...recipient }));
}
