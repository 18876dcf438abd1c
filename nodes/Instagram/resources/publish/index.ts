import type { INodeProperties } from 'n8n-workflow';
import { operationField } from '../../../shared/fields';
import { descriptionsOf, type Operation } from '../../../shared/operation';
import * as carousel from './carousel';
import * as getQuota from './getQuota';
import * as image from './image';
import * as reel from './reel';
import * as story from './story';

export const operations: Record<string, Operation> = { image, reel, story, carousel, getQuota };

export const description: INodeProperties[] = [
	operationField(
		'publish',
		[
			{
				name: 'Carousel',
				value: 'carousel',
				action: 'Publish a carousel',
				description: '2–10 images or videos in one post',
			},
			{
				name: 'Get Quota',
				value: 'getQuota',
				action: 'Get the publishing quota',
				description: 'Posts published in the last 24 h and the limit',
			},
			{ name: 'Image', value: 'image', action: 'Publish an image post' },
			{ name: 'Reel', value: 'reel', action: 'Publish a reel', description: 'A video post' },
			{ name: 'Story', value: 'story', action: 'Publish a story', description: 'Image or video, visible for 24 h' },
		],
		'image',
	),
	...descriptionsOf(operations),
];
