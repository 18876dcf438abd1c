import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { segment } from '../../shared/fields';
import { serviceRequest } from '../../shared/transport';
import { forOperation } from '../../../shared/operation';
import { waIdField } from './shared';

export const description = forOperation('contact', 'erase', [waIdField()]);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const waId = this.getNodeParameter('waId', itemIndex) as string;
	const response: unknown = await serviceRequest.call(this, {
		method: 'DELETE',
		path: `/contacts/${segment(waId)}`,
		itemIndex,
	});
	// 204 No Content: the body is empty (`{}`).
	return response && typeof response === 'object' && Object.keys(response).length > 0
		? (response as IDataObject)
		: { wa_id: waId, erased: true };
}
