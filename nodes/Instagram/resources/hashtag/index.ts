import type { INodeProperties } from 'n8n-workflow';
import { operationField } from '../../../shared/fields';
import { descriptionsOf, type Operation } from '../../../shared/operation';
import * as recentMedia from './recentMedia';
import * as topMedia from './topMedia';
import * as search from './search';

export const operations: Record<string, Operation> = { search, topMedia, recentMedia };

export const description: INodeProperties[] = [
	{
		displayName:
			'Hashtag operations work only with Facebook Login credentials (graph.facebook.com). Instagram Login has no hashtag search.',
		name: 'hashtagNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { resource: ['hashtag'] } },
	},
	operationField(
		'hashtag',
		[
			{
				name: 'Get Recent Media',
				value: 'recentMedia',
				action: 'Get recent posts with a hashtag',
				description: 'Posts from the last 24 h (Facebook Login only)',
			},
			{
				name: 'Get Top Media',
				value: 'topMedia',
				action: 'Get top posts with a hashtag',
				description: 'Most popular posts (Facebook Login only)',
			},
			{
				name: 'Search',
				value: 'search',
				action: 'Find a hashtag ID',
				description: 'Hashtag name → ID (Facebook Login only)',
			},
		],
		'search',
	),
	...descriptionsOf(operations),
];
