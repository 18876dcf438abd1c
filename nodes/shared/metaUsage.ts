// Meta's rate-limit usage headers, read and turned into a back-off decision. Pure: no I/O, no clock.
//
//   X-App-Usage: {"call_count":28,"total_time":25,"total_cputime":25}            (percent of the app's budget)
//   X-Business-Use-Case-Usage: {"<business id>":[{"type":"instagram","call_count":90,
//       "total_cputime":12,"total_time":20,"estimated_time_to_regain_access":0}]}  (minutes)
//
// Absent headers mean "Meta said nothing", not "0 % used".
import { headerValue, type HeaderBag } from './headers';

export interface MetaUsage {
	/** Highest percentage across every counter Meta reported. */
	maxPercent: number;
	/** Minutes until a throttled business use case regains access (0 when not throttled). */
	regainAccessMinutes: number;
	/** Which header and counter gave `maxPercent`, e.g. "X-Business-Use-Case-Usage instagram call_count". */
	source: string;
}

const header = headerValue;

function parseJson(text: string | undefined): unknown {
	if (!text) return undefined;
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}

const COUNTERS = ['call_count', 'total_cputime', 'total_time'] as const;

/** Parses both usage headers; undefined when neither is present or readable. */
export function parseUsageHeaders(headers: HeaderBag): MetaUsage | undefined {
	let found = false;
	let maxPercent = 0;
	let regainAccessMinutes = 0;
	let source = '';
	let anyPercent = false;
	const consider = (value: unknown, label: string) => {
		const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
		if (!Number.isFinite(n)) return;
		if (!anyPercent || n > maxPercent) {
			maxPercent = n;
			source = label;
		}
		anyPercent = true;
		found = true;
	};

	const app = parseJson(header(headers, 'x-app-usage'));
	if (app && typeof app === 'object') {
		for (const counter of COUNTERS) consider((app as Record<string, unknown>)[counter], `X-App-Usage ${counter}`);
	}

	const buc = parseJson(header(headers, 'x-business-use-case-usage'));
	if (buc && typeof buc === 'object') {
		for (const entries of Object.values(buc as Record<string, unknown>)) {
			if (!Array.isArray(entries)) continue;
			for (const entry of entries) {
				if (!entry || typeof entry !== 'object') continue;
				const e = entry as Record<string, unknown>;
				const type = typeof e.type === 'string' ? e.type : 'unknown';
				for (const counter of COUNTERS) consider(e[counter], `X-Business-Use-Case-Usage ${type} ${counter}`);
				const regain = Number(e.estimated_time_to_regain_access);
				if (Number.isFinite(regain) && regain > regainAccessMinutes) {
					found = true;
					regainAccessMinutes = regain;
				}
			}
		}
	}
	return found ? { maxPercent, regainAccessMinutes, source } : undefined;
}

export interface BackoffPolicy {
	/** Usage (percent) from which the node starts slowing down. */
	slowDownAtPercent: number;
	/** Longest the node will wait before one call; a longer wait makes it stop instead. */
	maxWaitMs: number;
}

export const DEFAULT_BACKOFF_POLICY: BackoffPolicy = { slowDownAtPercent: 75, maxWaitMs: 60_000 };

export type BackoffDecision =
	{ action: 'proceed' } | { action: 'wait'; waitMs: number; message: string } | { action: 'stop'; message: string };

/**
 * What to do before the next call, given the usage Meta reported on the last one.
 * Below the threshold: go. Between the threshold and 100 %: wait, longer the closer to 100 %
 * (linear up to `maxWaitMs`). Throttled (100 % or a regain time): wait for the regain time if it
 * fits in `maxWaitMs`, else stop and say when access returns.
 */
export function backoffFor(
	usage: MetaUsage | undefined,
	policy: BackoffPolicy = DEFAULT_BACKOFF_POLICY,
): BackoffDecision {
	if (!usage) return { action: 'proceed' };
	const pct = Math.round(usage.maxPercent);
	if (usage.regainAccessMinutes > 0 || usage.maxPercent >= 100) {
		const waitMs = usage.regainAccessMinutes * 60_000;
		const when =
			usage.regainAccessMinutes > 0
				? `access returns in about ${usage.regainAccessMinutes} min`
				: 'access returns when usage drops below 100 %';
		if (usage.regainAccessMinutes > 0 && waitMs <= policy.maxWaitMs) {
			return {
				action: 'wait',
				waitMs,
				message: `Meta throttled this app (${usage.source} at ${pct} %); waiting ${Math.ceil(waitMs / 1000)} s because ${when}`,
			};
		}
		return {
			action: 'stop',
			message: `Meta reports ${pct} % usage (${usage.source}); ${when}. The node stopped instead of sending more calls — run it again later or lower its call volume.`,
		};
	}
	if (usage.maxPercent < policy.slowDownAtPercent) return { action: 'proceed' };
	const span = 100 - policy.slowDownAtPercent;
	const waitMs = Math.round((policy.maxWaitMs * (usage.maxPercent - policy.slowDownAtPercent)) / (span > 0 ? span : 1));
	return {
		action: 'wait',
		waitMs,
		message: `Meta reports ${pct} % usage (${usage.source}); slowing down by ${Math.ceil(waitMs / 1000)} s per call to stay under the limit`,
	};
}
