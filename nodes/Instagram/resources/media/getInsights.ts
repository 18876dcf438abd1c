import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';
import { graphRequest } from '../../shared/transport';
import { mediaIdLocator, readMediaId } from '../common';
import { toMetricRows, type InsightsResponse } from '../insights';
import { forOperation } from '../../../shared/operation';

// Current media metric names (v22.0+: impressions, plays, video_views and clips_replays_count are
// retired; views replaces them). Each post type offers only the metrics Meta has for it; a metric
// Meta refuses anyway (e.g. a reel metric on a feed post) comes back as Meta's error.
const FB = ' (Facebook Login only)';
const COMMON: Array<[string, string?]> = [
	['comments'],
	['follows'],
	['likes'],
	['profile_activity'],
	['profile_visits'],
	['reach'],
	['reposts', `Times other accounts reposted it${FB}; since Dec 2025`],
	['saved'],
	['shares'],
	['total_interactions'],
	['views'],
];
const REELS: Array<[string, string?]> = [
	['crossposted_views', `Views on Instagram and on its Facebook crosspost${FB}`],
	['facebook_views', `Views of its Facebook crosspost${FB}`],
	['ig_reels_avg_watch_time', 'Average watch time, ms'],
	['ig_reels_video_view_total_time', 'Total watch time including replays, ms'],
	['reels_skip_rate', 'Percent of views that skipped it within the first 3 seconds; since Dec 2025'],
];
const STORY: Array<[string, string?]> = [
	['navigation', 'Taps forward/back, exits and swipes on the story'],
	['replies', 'Replies to the story (0 for viewers in the EU/Japan)'],
];

function metricsField(
	name: string,
	type: string,
	metrics: Array<[string, string?]>,
	defaults: string[],
): INodeProperties {
	return {
		displayName: 'Metrics',
		name,
		type: 'multiOptions',
		options: [...metrics]
			.sort((a, b) => a[0].localeCompare(b[0]))
			.map(([metric, description]) => ({ name: metric, value: metric, ...(description ? { description } : {}) })),
		default: [...defaults],
		required: true,
		displayOptions: { show: { insightsMediaType: [type] } },
		description: 'A metric without data comes back as available: false, not 0',
	};
}

const FIELD_BY_TYPE: Record<string, string> = { FEED: 'mediaMetrics', REELS: 'reelMetrics', STORY: 'storyMetrics' };

export const description = forOperation('media', 'getInsights', [
	mediaIdLocator(),
	{
		displayName: 'Post Type',
		name: 'insightsMediaType',
		type: 'options',
		options: [
			{ name: 'Feed Post or Carousel', value: 'FEED' },
			{ name: 'Reel', value: 'REELS' },
			{ name: 'Story', value: 'STORY', description: 'Story insights exist for 24 h only' },
		],
		default: 'FEED',
		description: 'What the post is (its media_product_type); the metrics offered are the ones Meta has for it',
	},
	metricsField('mediaMetrics', 'FEED', COMMON, [
		'views',
		'reach',
		'likes',
		'comments',
		'saved',
		'shares',
		'total_interactions',
	]),
	metricsField(
		'reelMetrics',
		'REELS',
		[...COMMON, ...REELS],
		['views', 'reach', 'likes', 'comments', 'shares', 'ig_reels_avg_watch_time', 'reels_skip_rate'],
	),
	metricsField(
		'storyMetrics',
		'STORY',
		[...COMMON.filter(([metric]) => !['comments', 'likes', 'saved'].includes(metric)), ...STORY],
		['views', 'reach', 'replies', 'navigation', 'shares'],
	),
]);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const mediaId = readMediaId(this, itemIndex);
	const type = this.getNodeParameter('insightsMediaType', itemIndex, 'FEED') as string;
	const field = FIELD_BY_TYPE[type] ?? 'mediaMetrics';
	const metrics = this.getNodeParameter(field, itemIndex, []) as string[];
	if (!metrics.length) throw new NodeOperationError(this.getNode(), 'Choose at least one metric', { itemIndex });
	const response = (await graphRequest.call(this, {
		method: 'GET',
		path: `/${mediaId}/insights`,
		qs: { metric: metrics.join(',') },
		itemIndex,
		purpose: 'insights',
	})) as InsightsResponse;
	return toMetricRows(metrics, response, { media_id: mediaId });
}
