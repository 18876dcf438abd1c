import type { INodeProperties } from 'n8n-workflow';
import type { OperationMap } from '../types';
import { recentMedia, topMedia } from './media';
import { search } from './search';

export const hashtagOperations: OperationMap = { search, topMedia, recentMedia };

export const hashtagDescription: INodeProperties[] = [
	{
		displayName: 'Hashtag operations work only with Facebook Login credentials (graph.facebook.com). Instagram Login has no hashtag search.',
		name: 'hashtagNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { resource: ['hashtag'] } },
	},
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['hashtag'] } },
		options: [
			{ name: 'Get Recent Media', value: 'recentMedia', action: 'Get recent posts with a hashtag', description: 'Posts from the last 24 h (Facebook Login only)' },
			{ name: 'Get Top Media', value: 'topMedia', action: 'Get top posts with a hashtag', description: 'Most popular posts (Facebook Login only)' },
			{ name: 'Search', value: 'search', action: 'Find a hashtag ID', description: 'Hashtag name → ID (Facebook Login only)' },
		],
		default: 'search',
	},
	...search.description,
	...topMedia.description,
	...recentMedia.description,
];
