import type { INodeProperties } from 'n8n-workflow';
import { operationField } from '../../../shared/fields';
import { descriptionsOf, type Operation } from '../../../shared/operation';
import * as create from './create';
import * as deleteAsset from './delete';
import * as get from './get';
import * as search from './search';
import * as update from './update';

export const operations: Record<string, Operation> = { search, get, create, update, delete: deleteAsset };

export const description: INodeProperties[] = [
	operationField(
		'library',
		[
			{ name: 'Create', value: 'create', action: 'Create a library asset', description: 'Add an asset to the library' },
			{
				name: 'Delete',
				value: 'delete',
				action: 'Delete a library asset',
				description: 'Remove an asset from the library',
			},
			{ name: 'Get', value: 'get', action: 'Get a library asset', description: 'Get one asset by ID' },
			{
				name: 'Search',
				value: 'search',
				action: 'Search the library',
				description: 'Search or list assets by text, type, tag and premium; premium assets only for pro users',
			},
			{ name: 'Update', value: 'update', action: 'Update a library asset', description: 'Change fields of an asset' },
		],
		'search',
	),
	...descriptionsOf(operations),
];
