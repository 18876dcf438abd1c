import type { INodeProperties } from 'n8n-workflow';
import { operationField } from '../../../shared/fields';
import { descriptionsOf, type Operation } from '../../../shared/operation';
import * as getInsights from './getInsights';
import * as getProfile from './getProfile';

export const operations: Record<string, Operation> = { getProfile, getInsights };

export const description: INodeProperties[] = [
	operationField(
		'account',
		[
			{
				name: 'Get Profile',
				value: 'getProfile',
				action: 'Get the account profile',
				description: 'Username, followers, media count',
			},
			{
				name: 'Get Insights',
				value: 'getInsights',
				action: 'Get account insights',
				description: 'Reach, views, engagement over a period',
			},
		],
		'getProfile',
	),
	...descriptionsOf(operations),
];
