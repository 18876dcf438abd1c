import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { forOperation } from '../../../shared/operation';
import { serviceRequest } from '../../shared/transport';

export const description = forOperation('service', 'getHealth', []);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	return await serviceRequest.call(this, {
		method: 'GET',
		path: '/healthz',
		outsideApi: true,
		authenticate: false,
		itemIndex,
	});
}
