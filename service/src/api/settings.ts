// Environment variables of the API, consent, campaign and fan-out parts (issue 4). Merged into the
// service's configuration schema (config.ts) so one validation names every bad variable.
import { z } from 'zod';
import { parseKeywordList } from '../consent/keywords';
import {
	DEFAULT_RETRY_SCHEDULE,
	parseDuration,
	parseRetrySchedule,
	RetryScheduleError,
} from '../fanout/retry-schedule';

export const duration = (fallback: string, min: number, max: number) =>
	z
		.string()
		.default(fallback)
		.transform((value, ctx) => {
			try {
				const ms = parseDuration(value);
				if (ms < min || ms > max) {
					ctx.addIssue({ code: 'custom', message: `must be between ${min} ms and ${max} ms` });
					return z.NEVER;
				}
				return ms;
			} catch (error) {
				if (!(error instanceof RetryScheduleError)) throw error;
				ctx.addIssue({ code: 'custom', message: error.message });
				return z.NEVER;
			}
		});

const keywords = (fallback: string) =>
	z
		.string()
		.default(fallback)
		.transform(parseKeywordList)
		.pipe(z.array(z.string().max(40)).min(1, 'at least one keyword'));

export const apiEnvShape = {
	/** Claims older than this become `unknown` (maybe sent): never resent unless asked. */
	CAMPAIGN_CLAIM_TIMEOUT: duration('15m', 1_000, 7 * 24 * 3_600_000),
	/** The service's address as staff reach it (report links); default: the address the caller used. */
	SERVICE_PUBLIC_URL: z
		.url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. https://wa.example.com' })
		.optional(),
	CONSENT_OPT_OUT_KEYWORDS: keywords('STOP,UNSUBSCRIBE'),
	CONSENT_OPT_IN_KEYWORDS: keywords('START,SUBSCRIBE'),
	FANOUT_RETRY_SCHEDULE: z
		.string()
		.default(DEFAULT_RETRY_SCHEDULE)
		.transform((value, ctx) => {
			try {
				return parseRetrySchedule(value);
			} catch (error) {
				if (!(error instanceof RetryScheduleError)) throw error;
				ctx.addIssue({ code: 'custom', message: error.message });
				return z.NEVER;
			}
		}),
	FANOUT_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(32),
	FANOUT_REQUEST_TIMEOUT: duration('10s', 100, 120_000),
	FANOUT_POLL_INTERVAL: duration('1s', 10, 60_000),
	/** `false` runs no delivery worker in this instance (another instance delivers). */
	FANOUT_WORKER: z
		.enum(['true', 'false'])
		.default('true')
		.transform((v) => v === 'true'),
};

export const apiEnvSchema = z.object(apiEnvShape);
export type ApiSettings = z.infer<typeof apiEnvSchema>;
