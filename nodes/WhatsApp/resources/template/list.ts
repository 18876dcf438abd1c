import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { returnAllOrLimit } from '../../../shared/fields';
import { forOperation } from '../../../shared/operation';
import { TEMPLATE_CATEGORIES } from '../../shared/fields';
import { getCredentials, graphPaginate } from '../../shared/transport';

export const TEMPLATE_FIELDS =
	'id,name,language,status,category,parameter_format,components,quality_score,rejected_reason';

export const description: INodeProperties[] = forOperation('template', 'list', [
	...returnAllOrLimit(),
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		options: [
			{ displayName: 'Name Contains', name: 'name', type: 'string', default: '' },
			{
				displayName: 'Status',
				name: 'status',
				type: 'multiOptions',
				default: [],
				options: ['APPROVED', 'PENDING', 'REJECTED', 'PAUSED', 'DISABLED', 'IN_APPEAL'].map((s) => ({
					name: s[0] + s.slice(1).toLowerCase().replace('_', ' '),
					value: s,
				})),
			},
			{
				displayName: 'Category',
				name: 'category',
				type: 'multiOptions',
				default: [],
				options: TEMPLATE_CATEGORIES,
			},
			{ displayName: 'Language', name: 'language', type: 'string', default: '', placeholder: 'en_US' },
		],
	},
]);

export async function execute(this: IExecuteFunctions, i: number): Promise<IDataObject[]> {
	const { businessAccountId } = await getCredentials.call(this);
	const filters = this.getNodeParameter('filters', i, {}) as {
		name?: string;
		status?: string[];
		category?: string[];
		language?: string;
	};
	const qs: IDataObject = { fields: TEMPLATE_FIELDS };
	if (filters.name) qs.name = filters.name;
	if (filters.status?.length) qs.status = filters.status.join(',');
	if (filters.category?.length) qs.category = filters.category.join(',');
	if (filters.language) qs.language = filters.language;
	const returnAll = this.getNodeParameter('returnAll', i, false) as boolean;
	const limit = returnAll ? undefined : (this.getNodeParameter('limit', i, 50) as number);
	return await graphPaginate.call(
		this,
		{ method: 'GET', path: `/${businessAccountId}/message_templates`, qs },
		limit,
		i,
	);
}
