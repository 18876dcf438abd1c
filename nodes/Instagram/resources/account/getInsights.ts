import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';
import { getInstagramCredentials, graphRequest } from '../../shared/transport';
import { toMetricRows, type InsightsResponse } from '../insights';
import { forOperation } from '../../../shared/operation';
import { choices } from '../../../shared/fields';

const PERIOD_OPTIONS = choices(['Day', 'day'], ['Week', 'week'], ['28 Days', 'days_28'], ['Lifetime', 'lifetime']);

// Current account metric names (impressions was retired in v22.0; views replaces it).
const ACCOUNT_METRICS = [
	'accounts_engaged',
	'comments',
	'follower_count',
	'follows_and_unfollows',
	'likes',
	'profile_links_taps',
	'reach',
	'replies',
	'reposts',
	'saves',
	'shares',
	'total_interactions',
	'views',
];

export const description = forOperation('account', 'getInsights', [
	{
		displayName: 'Metrics',
		name: 'accountMetrics',
		type: 'multiOptions',
		options: ACCOUNT_METRICS.map((metric) => ({ name: metric, value: metric })),
		default: ['reach', 'views', 'accounts_engaged', 'total_interactions'],
		required: true,
		description: 'Account metrics (current names; impressions is retired — use views; reposts since Dec 2025)',
	},
	{
		displayName: 'Period',
		name: 'period',
		type: 'options',
		options: PERIOD_OPTIONS,
		default: 'day',
	},
	{
		displayName: 'Metric Type',
		name: 'metricType',
		type: 'options',
		options: [
			{ name: 'Total Value', value: 'total_value', description: 'One total for the range (required by most metrics)' },
			{
				name: 'Time Series',
				value: 'time_series',
				description: 'One value per period (reach and follower_count only)',
			},
		],
		default: 'total_value',
	},
	{
		displayName: 'Since',
		name: 'since',
		type: 'dateTime',
		default: '',
		description: 'Start of the range (optional)',
	},
	{
		displayName: 'Until',
		name: 'until',
		type: 'dateTime',
		default: '',
		description: 'End of the range (optional)',
	},
]);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const credentials = await getInstagramCredentials.call(this);
	const metrics = this.getNodeParameter('accountMetrics', itemIndex, []) as string[];
	if (!metrics.length) throw new NodeOperationError(this.getNode(), 'Choose at least one metric', { itemIndex });
	const qs: IDataObject = {
		metric: metrics.join(','),
		period: this.getNodeParameter('period', itemIndex, 'day') as string,
		metric_type: this.getNodeParameter('metricType', itemIndex, 'total_value') as string,
	};
	for (const bound of ['since', 'until'] as const) {
		const value = this.getNodeParameter(bound, itemIndex, '') as string;
		if (value) {
			const ms = Date.parse(value);
			if (Number.isNaN(ms))
				throw new NodeOperationError(this.getNode(), `"${bound}" is not a date: ${value}`, { itemIndex });
			qs[bound] = Math.floor(ms / 1000);
		}
	}
	const response = (await graphRequest.call(this, {
		method: 'GET',
		path: `/${credentials.accountId}/insights`,
		qs,
		itemIndex,
		purpose: 'insights',
	})) as InsightsResponse;
	return toMetricRows(metrics, response, { account_id: credentials.accountId });
}
