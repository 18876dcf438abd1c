import type { INodeProperties } from 'n8n-workflow';
import { resourceProperties } from '../../../shared/resource';
import * as recentMedia from './recentMedia';
import * as topMedia from './topMedia';
import * as search from './search';

export const operations = { search, topMedia, recentMedia };

export const description: INodeProperties[] = [
	{
		displayName: 'Hashtag operations work only with Facebook Login credentials (graph.facebook.com). Instagram Login has no hashtag search.',
		name: 'hashtagNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { resource: ['hashtag'] } },
	},
	...resourceProperties('hashtag', operations, 'search'),
];
