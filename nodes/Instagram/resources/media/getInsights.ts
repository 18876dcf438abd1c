import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';
import { graphRequest } from '../../shared/transport';
import { mediaIdLocator, readMediaId } from '../common';
import { toMetricRows, type InsightsResponse } from '../insights';
import { forOperation } from '../../../shared/operation';


// Current media metric names (v22.0+: impressions, plays, video_views and clips_replays_count are retired; views replaces them).
const MEDIA_METRICS = [
	'comments',
	'follows',
	'ig_reels_avg_watch_time',
	'ig_reels_video_view_total_time',
	'likes',
	'navigation',
	'profile_activity',
	'profile_visits',
	'reach',
	'replies',
	'saved',
	'shares',
	'total_interactions',
	'views',
];

export const description = forOperation('media', 'getInsights', [
	mediaIdLocator(),
	{
		displayName: 'Metrics',
		name: 'mediaMetrics',
		type: 'multiOptions',
		options: MEDIA_METRICS.map((metric) => ({ name: metric, value: metric })),
		default: ['views', 'reach', 'likes', 'comments', 'saved', 'shares', 'total_interactions'],
		required: true,
		description:
			'Current metric names. Reels: ig_reels_*; stories: navigation, replies. A metric without data comes back as available: false, not 0.',
	},
]);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const mediaId = readMediaId(this, itemIndex);
	const metrics = this.getNodeParameter('mediaMetrics', itemIndex, []) as string[];
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
