// Insights answers → one row per requested metric. Meta leaves a metric out (or sends empty data)
// when it has no value yet; that is "not available", never 0.
import type { IDataObject } from 'n8n-workflow';

export interface InsightsEntry {
	name: string;
	period?: string;
	title?: string;
	description?: string;
	id?: string;
	values?: Array<{ value: unknown; end_time?: string }>;
	total_value?: { value: unknown; breakdowns?: unknown };
}

export interface InsightsResponse {
	data?: InsightsEntry[];
}

function valueOf(entry: InsightsEntry): unknown {
	if (entry.total_value && entry.total_value.value !== undefined) return entry.total_value.value;
	if (entry.values?.length === 1) return entry.values[0].value;
	if (entry.values && entry.values.length > 1)
		return entry.values.reduce((sum, v) => (typeof v.value === 'number' ? sum + v.value : sum), 0);
	return null;
}

export function toMetricRows(requested: string[], response: InsightsResponse, extra: IDataObject = {}): IDataObject[] {
	const byName = new Map((response.data ?? []).map((entry) => [entry.name, entry]));
	return requested.map((metric) => {
		const entry = byName.get(metric);
		if (!entry) {
			return {
				...extra,
				metric,
				available: false,
				value: null,
				note: 'Meta returned no data for this metric (not enough activity yet, or delayed up to 48 h) — this is not zero',
			};
		}
		const row: IDataObject = {
			...extra,
			metric,
			available: true,
			value: valueOf(entry) as IDataObject[keyof IDataObject],
			period: entry.period ?? null,
			title: entry.title ?? null,
		};
		if (entry.values && entry.values.length > 1) row.values = entry.values as unknown as IDataObject[];
		if (entry.total_value?.breakdowns) row.breakdowns = entry.total_value.breakdowns as IDataObject[];
		return row;
	});
}
