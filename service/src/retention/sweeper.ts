// The retention sweeper: removes rows past their retention (retention/settings.ts) in small batches,
// each one DELETE statement of at most RETENTION_BATCH_SIZE rows (its own short transaction). Rows a
// request holds locked are skipped (SKIP LOCKED) and taken on a later sweep, so ingestion never waits
// for the sweeper. A sweep that fails (database away) is logged and tried again at the next interval.
import type { Pool } from 'pg';
import { inTransaction } from '../api/tx';
import type { RetentionSettings } from './settings';

const LOCK_TIMEOUT_MS = 200;
/** Postgres' lock_not_available (lock_timeout expired). */
const LOCK_NOT_AVAILABLE = '55P03';

export type RetentionTable = 'webhook_payloads' | 'deliveries' | 'ingest_requests' | 'rate_limit_counters';

/** One DELETE of at most $2 rows older than $1 ms; the oldest first. */
const SWEEP_SQL: Record<RetentionTable, string> = {
	// Events keep their normalized payload; the foreign key clears their payload_id (ON DELETE SET NULL).
	webhook_payloads: `DELETE FROM webhook_payloads WHERE id IN (
		SELECT id FROM webhook_payloads WHERE received_at < now() - make_interval(secs => $1::double precision / 1000)
		ORDER BY received_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
	deliveries: `DELETE FROM deliveries WHERE id IN (
		SELECT id FROM deliveries WHERE status = 'succeeded' AND succeeded_at < now() - make_interval(secs => $1::double precision / 1000)
		ORDER BY succeeded_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
	ingest_requests: `DELETE FROM ingest_requests WHERE webhook_id IN (
		SELECT webhook_id FROM ingest_requests WHERE received_at < now() - make_interval(secs => $1::double precision / 1000)
		ORDER BY received_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
	rate_limit_counters: `DELETE FROM rate_limit_counters WHERE key IN (
		SELECT key FROM rate_limit_counters WHERE window_start_ms < (extract(epoch FROM now()) * 1000)::bigint - $1::bigint
		ORDER BY window_start_ms LIMIT $2 FOR UPDATE SKIP LOCKED)`,
};

export const RETENTION_TABLES = Object.keys(SWEEP_SQL) as RetentionTable[];

export type SweepCounts = Record<RetentionTable, number>;

export interface RetentionSweeperOptions {
	pool: Pool;
	settings: RetentionSettings;
	/** Batches per table and sweep at most (the rest waits for the next sweep). */
	maxBatchesPerSweep?: number;
	log?: (level: 'info' | 'warn', msg: string, fields?: Record<string, unknown>) => void;
}

export interface RetentionSweeper {
	/** Starts sweeping every RETENTION_SWEEP_INTERVAL (the first sweep right away). */
	start(): void;
	/** Stops the timer and waits for a sweep in progress to end. */
	stop(): Promise<void>;
	/** One sweep now: rows removed per table. */
	sweep(): Promise<SweepCounts>;
}

function retentionOf(settings: RetentionSettings, table: RetentionTable): number {
	switch (table) {
		case 'webhook_payloads':
			return settings.RETENTION_RAW_PAYLOADS;
		case 'deliveries':
			return settings.RETENTION_DELIVERIES;
		case 'ingest_requests':
			return settings.RETENTION_INGEST_REQUESTS;
		case 'rate_limit_counters':
			return settings.RETENTION_RATE_LIMIT_COUNTERS;
	}
}

export function createRetentionSweeper(options: RetentionSweeperOptions): RetentionSweeper {
	const { pool, settings } = options;
	const batchSize = settings.RETENTION_BATCH_SIZE;
	const maxBatches = options.maxBatchesPerSweep ?? 100;
	const log = options.log ?? (() => undefined);
	let timer: NodeJS.Timeout | undefined;
	let running: Promise<unknown> | undefined;
	let stopped = true;
	// Set by stop(): a sweep in progress ends after its current batch.
	let aborting = false;

	// One batch in its own transaction. It gives up on a lock it would wait for (lock_timeout) rather
	// than hold its own locks: a request that touches the same rows (an erasure updating the events of
	// an old payload) goes first, and the sweeper takes those rows on a later sweep.
	async function deleteBatch(table: RetentionTable): Promise<number> {
		try {
			return await inTransaction(pool, async (tx) => {
				await tx.query("SELECT set_config('lock_timeout', $1, true)", [`${LOCK_TIMEOUT_MS}ms`]);
				return (await tx.query(SWEEP_SQL[table], [retentionOf(settings, table), batchSize])).rowCount ?? 0;
			});
		} catch (error) {
			if ((error as { code?: string }).code === LOCK_NOT_AVAILABLE) return -1;
			throw error;
		}
	}

	async function sweepTable(table: RetentionTable): Promise<number> {
		let removed = 0;
		for (let batch = 0; batch < maxBatches && !aborting; batch++) {
			const rowCount = await deleteBatch(table);
			if (rowCount < 0) break;
			removed += rowCount;
			if (rowCount < batchSize) break;
			// Let other work use the connection pool between batches.
			await new Promise((resolve) => setImmediate(resolve));
		}
		return removed;
	}

	async function sweep(): Promise<SweepCounts> {
		const counts = {} as SweepCounts;
		for (const table of RETENTION_TABLES) counts[table] = await sweepTable(table);
		return counts;
	}

	async function tick(): Promise<void> {
		try {
			const counts = await sweep();
			if (Object.values(counts).some((n) => n > 0)) log('info', 'retention sweep removed old rows', counts);
		} catch (error) {
			log('warn', 'retention sweep failed; trying again at the next interval', {
				err: { message: (error as Error).message },
			});
		}
	}

	function schedule(delayMs: number): void {
		if (stopped) return;
		timer = setTimeout(() => {
			timer = undefined;
			running = tick().finally(() => {
				running = undefined;
				schedule(settings.RETENTION_SWEEP_INTERVAL);
			});
		}, delayMs);
		timer.unref();
	}

	return {
		start() {
			if (!stopped) return;
			stopped = false;
			aborting = false;
			schedule(0);
		},
		async stop() {
			stopped = true;
			aborting = true;
			if (timer) clearTimeout(timer);
			timer = undefined;
			await running;
		},
		sweep,
	};
}
