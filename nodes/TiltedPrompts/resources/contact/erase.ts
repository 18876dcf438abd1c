import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { segment } from '../../shared/fields';
import { serviceRequest } from '../../shared/transport';
import type { ItemOperation } from '../../shared/types';
import { waIdField } from './shared';

async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const waId = this.getNodeParameter('waId', itemIndex) as string;
	const response: unknown = await serviceRequest.call(this, { method: 'DELETE', path: `/contacts/${segment(waId)}`, itemIndex });
	return response && typeof response === 'object' ? (response as IDataObject) : { wa_id: waId, erased: true };
}

export const erase: ItemOperation = { kind: 'item', description: [waIdField(['erase'])], execute };
