import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { forOperation } from '../../../shared/operation';
import { serviceRequest } from '../../shared/transport';

export const option = { name: 'Get Health', action: 'Get service health', description: 'Check that the TiltedPrompts service is up and which version it runs' };

export const description = forOperation('service', 'getHealth', []);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	return await serviceRequest.call(this, { method: 'GET', path: '/healthz', outsideApi: true, authenticate: false, itemIndex });
}
