import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { compact } from '../../shared/fields';
import { serviceRequestList } from '../../shared/transport';
import type { ItemOperation } from '../../shared/types';
import { CONSENT_OPTIONS } from './shared';

const show = { resource: ['contact'], operation: ['getMany'] };

const description: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
		displayOptions: { show },
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		default: 50,
		typeOptions: { minValue: 1 },
		description: 'Max number of results to return',
		displayOptions: { show: { ...show, returnAll: [false] } },
	},
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		displayOptions: { show },
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
];

async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
	const limit = returnAll ? undefined : (this.getNodeParameter('limit', itemIndex, 50) as number);
	const filters = this.getNodeParameter('filters', itemIndex, {}) as IDataObject;
	const qs = compact({ tag: filters.tag as string | undefined, consent: filters.consent as string | undefined });
	return await serviceRequestList.call(this, '/contacts', qs, { returnAll, limit, itemIndex });
}

export const getMany: ItemOperation = { kind: 'item', description, execute };
