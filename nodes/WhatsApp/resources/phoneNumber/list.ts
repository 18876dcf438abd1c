import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { returnAllOrLimit } from '../../../shared/fields';
import { forOperation } from '../../../shared/operation';
import { getCredentials, graphPaginate } from '../../shared/transport';

export const PHONE_FIELDS =
	'id,display_phone_number,verified_name,quality_rating,throughput,messaging_limit_tier,code_verification_status,name_status,platform_type,status';

export const description: INodeProperties[] = forOperation('phoneNumber', 'list', returnAllOrLimit());

export async function execute(this: IExecuteFunctions, i: number): Promise<IDataObject[]> {
	const { businessAccountId } = await getCredentials.call(this);
	const returnAll = this.getNodeParameter('returnAll', i, false) as boolean;
	const limit = returnAll ? undefined : (this.getNodeParameter('limit', i, 50) as number);
	return await graphPaginate.call(
		this,
		{ method: 'GET', path: `/${businessAccountId}/phone_numbers`, qs: { fields: PHONE_FIELDS } },
		limit,
		i,
	);
}
