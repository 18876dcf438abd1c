import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { segment } from '../../shared/fields';
import { serviceRequest } from '../../shared/transport';
import type { ItemOperation } from '../../shared/types';
import { waIdField } from './shared';

async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const waId = this.getNodeParameter('waId', itemIndex) as string;
	return await serviceRequest.call(this, { method: 'GET', path: `/contacts/${segment(waId)}`, itemIndex });
}

export const get: ItemOperation = { kind: 'item', description: [waIdField(['get'])], execute };
