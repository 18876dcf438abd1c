import type { INodeProperties } from 'n8n-workflow';
import type { OperationMap } from '../types';
import { get } from './get';
import { getChildren } from './getChildren';
import { getInsights } from './getInsights';
import { getMany } from './getMany';

export const mediaOperations: OperationMap = { getMany, get, getChildren, getInsights };

export const mediaDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['media'] } },
		options: [
			{ name: 'Get', value: 'get', action: 'Get a post', description: 'One post by ID' },
			{ name: 'Get Children', value: 'getChildren', action: 'Get carousel items', description: 'The items of a carousel post' },
			{ name: 'Get Insights', value: 'getInsights', action: 'Get post insights', description: 'Views, reach, likes… of one post' },
			{ name: 'Get Many', value: 'getMany', action: 'Get many posts', description: 'The account\'s posts, newest first' },
		],
		default: 'getMany',
	},
	...getMany.description,
	...get.description,
	...getChildren.description,
	...getInsights.description,
];
