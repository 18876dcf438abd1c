import type { INodeProperties } from 'n8n-workflow';
import { operationField } from '../../../shared/fields';
import { descriptionsOf, type Operation } from '../../../shared/operation';
import * as create from './create';
import * as get from './get';
import * as list from './list';
import * as remove from './delete';

export const operations: Record<string, Operation> = { list, get, create, delete: remove };

export const description: INodeProperties[] = [
	operationField(
		'template',
		[
			{
				name: 'Create',
				value: 'create',
				action: 'Create a template',
				description: "Submit a new template for Meta's review",
			},
			{ name: 'Delete', value: 'delete', action: 'Delete a template' },
			{
				name: 'Get',
				value: 'get',
				action: 'Get a template',
				description: 'Get a template with its components and status',
			},
			{ name: 'List', value: 'list', action: 'List templates', description: 'List templates with filters' },
		],
		'list',
	),
	...descriptionsOf(operations),
];
