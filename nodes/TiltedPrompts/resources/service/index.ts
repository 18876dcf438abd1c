import type { INodeProperties } from 'n8n-workflow';
import { operationField } from '../../../shared/fields';
import { descriptionsOf, type Operation } from '../../../shared/operation';
import * as getHealth from './getHealth';

export const operations: Record<string, Operation> = { getHealth };

export const description: INodeProperties[] = [
	operationField(
		'service',
		[
			{
				name: 'Get Health',
				value: 'getHealth',
				action: 'Get service health',
				description: 'Check that the TiltedPrompts service is up and which version it runs',
			},
		],
		'getHealth',
	),
	...descriptionsOf(operations),
];
