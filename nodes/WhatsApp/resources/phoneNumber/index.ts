import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { getPhoneNumberId, phoneNumberField } from '../../shared/fields';
import { getCredentials, graphCall, graphPaginate } from '../../shared/transport';
import type { ItemOperation } from '../../shared/types';

const show = (operation: string[]) => ({ show: { resource: ['phoneNumber'], operation } });
export const PHONE_FIELDS =
	'id,display_phone_number,verified_name,quality_rating,throughput,messaging_limit_tier,code_verification_status,name_status,platform_type,status';

const list: ItemOperation = {
	description: [
		{ displayName: 'Return All', name: 'returnAll', type: 'boolean', default: false, description: 'Whether to return all results or only up to a given limit', displayOptions: show(['list']) },
		{ displayName: 'Limit', name: 'limit', type: 'number', typeOptions: { minValue: 1 }, default: 50, description: 'Max number of results to return', displayOptions: { show: { resource: ['phoneNumber'], operation: ['list'], returnAll: [false] } } },
	],
	async execute(this: IExecuteFunctions, i: number): Promise<IDataObject[]> {
		const { businessAccountId } = await getCredentials.call(this);
		const returnAll = this.getNodeParameter('returnAll', i, false) as boolean;
		const limit = returnAll ? undefined : (this.getNodeParameter('limit', i, 50) as number);
		return await graphPaginate.call(this, { method: 'GET', path: `/${businessAccountId}/phone_numbers`, qs: { fields: PHONE_FIELDS } }, limit, i);
	},
};

const get: ItemOperation = {
	description: [phoneNumberField(show(['get']).show, 'Phone Number')],
	async execute(this: IExecuteFunctions, i: number): Promise<IDataObject> {
		return await graphCall.call(this, { method: 'GET', path: `/${getPhoneNumberId.call(this, i)}`, qs: { fields: PHONE_FIELDS } }, i);
	},
};

export const phoneNumberOperations: Record<string, ItemOperation> = { list, get };

export const phoneNumberDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['phoneNumber'] } },
		default: 'list',
		options: [
			{ name: 'Get', value: 'get', action: 'Get a phone number', description: 'Quality rating, throughput and messaging limit of one number' },
			{ name: 'List', value: 'list', action: 'List phone numbers', description: 'Numbers of the WhatsApp Business Account' },
		],
	},
	...list.description,
	...get.description,
];
