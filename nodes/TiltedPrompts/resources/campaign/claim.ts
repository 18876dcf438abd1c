import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { segment } from '../../shared/fields';
import { serviceRequest } from '../../shared/transport';
import type { ItemOperation } from '../../shared/types';
import { campaignIdField } from './shared';

const show = { resource: ['campaign'], operation: ['claim'] };

const description: INodeProperties[] = [
	campaignIdField(['claim']),
	{
		displayName: 'Batch Size',
		name: 'batchSize',
		type: 'number',
		default: 100,
		typeOptions: { minValue: 1, maxValue: 1000 },
		description: 'How many pending recipients to claim. Each is claimed once: two workflows never get the same recipient.',
		displayOptions: { show },
	},
	{
		displayName: 'Options',
		name: 'claimOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show },
		options: [
			{
				displayName: 'Resend Unknown',
				name: 'resend_unknown',
				type: 'boolean',
				default: false,
				description:
					'Whether to also claim recipients whose earlier claim timed out (state unknown: the message may or may not have been sent)',
			},
		],
	},
];

async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
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

export const claim: ItemOperation = { kind: 'item', description, execute };
