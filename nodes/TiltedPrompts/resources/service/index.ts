import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { serviceRequest } from '../../shared/transport';
import type { ItemOperation, Operation } from '../../shared/types';

const getHealth: ItemOperation = {
	kind: 'item',
	description: [],
	async execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
		return await serviceRequest.call(this, { method: 'GET', path: '/healthz', outsideApi: true, authenticate: false, itemIndex });
	},
};

export const serviceOperations: Record<string, Operation> = { getHealth };

export const serviceDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['service'] } },
		options: [
			{
				name: 'Get Health',
				value: 'getHealth',
				action: 'Get service health',
				description: 'Check that the TiltedPrompts service is up and which version it runs',
			},
		],
		default: 'getHealth',
	},
];
