import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { locatorValue, segment } from '../../shared/fields';
import { serviceRequest } from '../../shared/transport';
import type { ItemOperation } from '../../shared/types';
import { assetIdField } from './shared';

async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const id = locatorValue(this.getNodeParameter('assetId', itemIndex));
	const response: unknown = await serviceRequest.call(this, { method: 'DELETE', path: `/library/assets/${segment(id)}`, itemIndex });
	return response && typeof response === 'object' ? { deleted: true, id, ...(response as IDataObject) } : { deleted: true, id };
}

export const deleteAsset: ItemOperation = { kind: 'item', description: [assetIdField('delete')], execute };
