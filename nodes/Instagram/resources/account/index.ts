import type { INodeProperties } from 'n8n-workflow';
import type { OperationMap } from '../types';
import { getInsights } from './getInsights';
import { getProfile } from './getProfile';

export const accountOperations: OperationMap = { getProfile, getInsights };

export const accountDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['account'] } },
		options: [
			{ name: 'Get Profile', value: 'getProfile', action: 'Get the account profile', description: 'Username, followers, media count' },
			{ name: 'Get Insights', value: 'getInsights', action: 'Get account insights', description: 'Reach, views, engagement over a period' },
		],
		default: 'getProfile',
	},
	...getProfile.description,
	...getInsights.description,
];
