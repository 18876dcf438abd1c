import type { INodeProperties } from 'n8n-workflow';
import { operationField } from '../../../shared/fields';
import { descriptionsOf, type Operation } from '../../../shared/operation';
import * as ingestBundle from './ingest';

export const operations: Record<string, Operation> = { ingest: ingestBundle };

export const description: INodeProperties[] = [
	operationField(
		'bundle',
		[
			{
				name: 'Ingest',
				value: 'ingest',
				action: 'Ingest a signed bundle',
				description: 'Sign a bundle of library assets (Standard Webhooks) and send it to the service',
			},
		],
		'ingest',
	),
	...descriptionsOf(operations),
];
