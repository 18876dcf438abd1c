import type { INodeProperties } from 'n8n-workflow';
import { operationField } from '../../../shared/fields';
import { descriptionsOf, type Operation } from '../../../shared/operation';
import * as get from './get';
import * as getChildren from './getChildren';
import * as getCollaborators from './getCollaborators';
import * as getInsights from './getInsights';
import * as getMany from './getMany';

export const operations: Record<string, Operation> = { getMany, get, getChildren, getCollaborators, getInsights };

export const description: INodeProperties[] = [
	operationField(
		'media',
		[
			{ name: 'Get', value: 'get', action: 'Get a post', description: 'One post by ID' },
			{
				name: 'Get Children',
				value: 'getChildren',
				action: 'Get carousel items',
				description: 'The items of a carousel post',
			},
			{
				name: 'Get Collaborators',
				value: 'getCollaborators',
				action: 'Get collaborators of a post',
				description: 'Invited collaborators and whether each accepted',
			},
			{
				name: 'Get Insights',
				value: 'getInsights',
				action: 'Get post insights',
				description: 'Views, reach, likes… of one post',
			},
			{
				name: 'Get Many',
				value: 'getMany',
				action: 'Get many posts',
				description: "The account's posts, newest first",
			},
		],
		'getMany',
	),
	...descriptionsOf(operations),
];
