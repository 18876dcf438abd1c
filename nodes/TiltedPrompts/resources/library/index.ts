import type { INodeProperties } from 'n8n-workflow';
import type { Operation } from '../../shared/types';
import { create } from './create';
import { deleteAsset } from './delete';
import { get } from './get';
import { search } from './search';
import { update } from './update';

export const libraryOperations: Record<string, Operation> = { search, get, create, update, delete: deleteAsset };

export const libraryDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['library'] } },
		options: [
			{ name: 'Create', value: 'create', action: 'Create a library asset', description: 'Add an asset to the library' },
			{ name: 'Delete', value: 'delete', action: 'Delete a library asset', description: 'Remove an asset from the library' },
			{ name: 'Get', value: 'get', action: 'Get a library asset', description: 'Get one asset by ID' },
			{
				name: 'Search',
				value: 'search',
				action: 'Search the library',
				description: 'Search or list assets by text, type, tag and premium; premium assets only for pro users',
			},
			{ name: 'Update', value: 'update', action: 'Update a library asset', description: 'Change fields of an asset' },
		],
		default: 'search',
	},
	...search.description,
	...get.description,
	...create.description,
	...update.description,
	...deleteAsset.description,
];
