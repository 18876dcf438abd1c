import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { locatorValue, segment } from '../../shared/fields';
import { serviceRequest } from '../../shared/transport';
import type { ItemOperation } from '../../shared/types';
import { assetIdField } from './shared';

async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const id = locatorValue(this.getNodeParameter('assetId', itemIndex));
	return await serviceRequest.call(this, { method: 'GET', path: `/library/assets/${segment(id)}`, itemIndex });
}

export const get: ItemOperation = { kind: 'item', description: [assetIdField('get')], execute };
