import type { INodeProperties } from 'n8n-workflow';
import type { OperationMap } from '../types';
import { carousel } from './carousel';
import { getQuota } from './getQuota';
import { image } from './image';
import { reel } from './reel';
import { story } from './story';

export const publishOperations: OperationMap = { image, reel, story, carousel, getQuota };

export const publishDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['publish'] } },
		options: [
			{ name: 'Carousel', value: 'carousel', action: 'Publish a carousel', description: '2–10 images or videos in one post' },
			{ name: 'Get Quota', value: 'getQuota', action: 'Get the publishing quota', description: 'Posts published in the last 24 h and the limit' },
			{ name: 'Image', value: 'image', action: 'Publish an image post' },
			{ name: 'Reel', value: 'reel', action: 'Publish a reel', description: 'A video post' },
			{ name: 'Story', value: 'story', action: 'Publish a story', description: 'Image or video, visible for 24 h' },
		],
		default: 'image',
	},
	...image.description,
	...reel.description,
	...story.description,
	...carousel.description,
];
