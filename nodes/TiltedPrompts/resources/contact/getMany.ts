import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { compact } from '../../shared/fields';
import { serviceRequestList } from '../../shared/transport';
import { forOperation } from '../../../shared/operation';
import { CONSENT_OPTIONS } from './shared';

export const option = { name: 'Get Many', action: 'Get many contacts', description: 'List contacts by tag and consent' };

export const description = forOperation('contact', 'getMany', [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		default: 50,
		typeOptions: { minValue: 1 },
		description: 'Max number of results to return',
		displayOptions: { show: { returnAll: [false] } },
	},
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		options: [
			{
				displayName: 'Consent',
				name: 'consent',
				type: 'options',
				options: CONSENT_OPTIONS,
				default: 'opted_in',
			},
			{
				displayName: 'Tag',
				name: 'tag',
				type: 'string',
				default: '',
				description: 'Only contacts carrying this tag',
			},
		],
	},
]);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
	const limit = returnAll ? undefined : (this.getNodeParameter('limit', itemIndex, 50) as number);
	const filters = this.getNodeParameter('filters', itemIndex, {}) as IDataObject;
	const qs = compact({ tag: filters.tag as string | undefined, consent: filters.consent as string | undefined });
	return await serviceRequestList.call(this, '/contacts', qs, { returnAll, limit, itemIndex });
}

