import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { segment } from '../../shared/fields';
import { serviceRequest } from '../../shared/transport';
import { forOperation } from '../../../shared/operation';
import { waIdField } from './shared';

export const description = forOperation('contact', 'get', [waIdField()]);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const waId = this.getNodeParameter('waId', itemIndex) as string;
	return await serviceRequest.call(this, { method: 'GET', path: `/contacts/${segment(waId)}`, itemIndex });
}
