import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { choices } from '../../../shared/fields';
import { DEFAULT_POLL_SCHEDULE, type PollSchedule } from '../../shared/containerPolling';

/** Image or video: what a story or a carousel item is. */
export const MEDIA_KIND_OPTIONS = choices(['Image', 'image'], ['Video', 'video']);

export function publishOptions(): INodeProperties {
	return {
		displayName: 'Options',
		name: 'publishOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Check Quota First',
				name: 'checkQuota',
				type: 'boolean',
				default: true,
				description: 'Whether to read content_publishing_limit first and refuse when the 24 h quota is spent',
			},
			{
				displayName: 'First Status Check After (Seconds)',
				name: 'firstCheckDelaySeconds',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 1,
				description: 'Wait before the second status check; each later wait doubles (up to 60 s)',
			},
			{
				displayName: 'Max Wait (Seconds)',
				name: 'maxWaitSeconds',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 300,
				description: 'Give up when a container is still IN_PROGRESS after this long (videos can take minutes)',
			},
		],
	};
}

export function readPublishOptions(
	context: IExecuteFunctions,
	itemIndex: number,
): { checkQuota: boolean; schedule: PollSchedule } {
	const options = context.getNodeParameter('publishOptions', itemIndex, {}) as IDataObject;
	const first = Number(options.firstCheckDelaySeconds ?? DEFAULT_POLL_SCHEDULE.initialDelayMs / 1000);
	const max = Number(options.maxWaitSeconds ?? DEFAULT_POLL_SCHEDULE.maxTotalWaitMs / 1000);
	return {
		checkQuota: options.checkQuota !== false,
		schedule: {
			...DEFAULT_POLL_SCHEDULE,
			initialDelayMs: Math.max(0, first * 1000),
			maxTotalWaitMs: Math.max(0, max * 1000),
		},
	};
}

export function captionField(): INodeProperties {
	return {
		displayName: 'Caption',
		name: 'caption',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		description: 'Up to 2,200 characters, 30 hashtags and 20 @mentions',
	};
}
