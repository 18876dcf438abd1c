// Retention of what the service stores only for a while (issue 11): how long each kind of row is kept
// and how the sweeper removes the rest. Merged into the service's configuration schema (config.ts).
import { z } from 'zod';
import { duration } from '../api/settings';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const retentionEnvShape = {
	/** Raw Meta webhook bodies as received (events keep their normalized payload). */
	RETENTION_RAW_PAYLOADS: duration('30d', HOUR, 3650 * DAY),
	/** Fan-out deliveries that succeeded (pending and dead ones are kept). */
	RETENTION_DELIVERIES: duration('14d', HOUR, 3650 * DAY),
	/** Bundle ingestion's webhook-id records (a webhook-id is only replayable within 300 s). */
	RETENTION_INGEST_REQUESTS: duration('7d', HOUR, 3650 * DAY),
	/** Rate-limit counters whose window has passed. */
	RETENTION_RATE_LIMIT_COUNTERS: duration('1h', 10 * 60_000, 30 * DAY),
	/** How often the sweeper runs. */
	RETENTION_SWEEP_INTERVAL: duration('1m', 10, DAY),
	/** Rows removed per statement (one short transaction each). */
	RETENTION_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(500),
};

export const retentionEnvSchema = z.object(retentionEnvShape);
export type RetentionSettings = z.infer<typeof retentionEnvSchema>;
