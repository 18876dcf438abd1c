// The outbox as the fan-out worker sees it: lease due deliveries (FOR UPDATE SKIP LOCKED, so several
// service instances share one outbox) and record attempt outcomes, grouped into one UPDATE for every
// attempt that finished meanwhile.
import type { Pool } from 'pg';
import { isConnectionError } from '../db/client';
import type { Outcome } from './attempt';
import { FANOUT_CHANNEL } from './outbox';

export interface Leased {
	id: string;
	attempts: number;
	url: string;
	secret_sealed: string;
	/** The replaced secret while its rotation overlap lasts (it signs too), else null. */
	previous_secret_sealed: string | null;
	event_type: string;
	dedupe_key: string;
	occurred_at: Date;
	payload: unknown;
}

/**
 * Takes up to `limit` due deliveries: counts the attempt and hides them from other workers for
 * `leaseMs` (a crashed worker's lease runs out and another takes the delivery over).
 */
export async function leaseDue(pool: Pool, limit: number, leaseMs: number, prepared = false): Promise<Leased[]> {
	const { rows } = await pool.query<Leased>({
		name: prepared ? 'fanout_lease' : undefined,
		text: `WITH due AS (
		   SELECT id FROM deliveries WHERE status = 'pending' AND next_attempt_at <= now()
		   ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED
		 )
		 UPDATE deliveries d SET attempts = d.attempts + 1, last_attempt_at = now(),
		   next_attempt_at = now() + make_interval(secs => $2::double precision / 1000)
		 FROM due, subscriptions s, events e
		 WHERE d.id = due.id AND s.id = d.subscription_id AND e.id = d.event_id
		 RETURNING d.id, d.attempts, s.url, s.secret_sealed, d.event_type, e.dedupe_key, e.occurred_at, e.payload,
		   CASE WHEN s.previous_secret_expires_at > now() THEN s.previous_secret_sealed END AS previous_secret_sealed`,
		values: [limit, leaseMs],
	});
	return rows;
}

/**
 * "Still pending", for statements that name their deliveries by id. Written so that it does not imply
 * deliveries_due_idx's predicate (`status = 'pending'`): with that, Postgres may read the rows through
 * that index (it estimates few pending rows) instead of the primary key, and the index holds an
 * entry for every delivery that left `pending` since the table was last vacuumed (a finished
 * delivery's new row version leaves the index, its old entry stays). Measured in bench:fanout: the
 * outcome write scanned 4,000–17,000 such entries per statement (1.9 ms each, a third of Postgres's
 * statement time), more the longer the service ran; by primary key it reads only its own rows.
 */
const stillPending = (row: string): string => `(${row}.status = 'pending') IS TRUE`;

/** Hands leased deliveries back to the outbox, due now, as if their attempt had not been counted. */
export async function releaseLeases(pool: Pool, ids: readonly string[]): Promise<void> {
	await pool.query(
		`UPDATE deliveries SET attempts = attempts - 1, next_attempt_at = now(),
		   last_attempt_at = CASE WHEN attempts > 1 THEN last_attempt_at END
		 WHERE id = ANY ($1::uuid[]) AND ${stillPending('deliveries')} AND attempts > 0`,
		[ids],
	);
	await pool.query('SELECT pg_notify($1, $2)', [FANOUT_CHANNEL, String(ids.length)]);
}

export interface RecordedOutcome extends Outcome {
	id: string;
	/** The attempt number the outcome belongs to. */
	attempts: number;
}

// The guard (same attempt number, still pending) ignores an outcome whose lease another worker took over.
export const RECORD_OUTCOMES_SQL = `UPDATE deliveries d SET
	   status = u.status,
	   succeeded_at = CASE WHEN u.status = 'succeeded' THEN now() ELSE d.succeeded_at END,
	   next_attempt_at = CASE WHEN u.status = 'pending' THEN now() + make_interval(secs => u.delay_ms / 1000) ELSE d.next_attempt_at END,
	   last_status_code = u.code,
	   last_error = u.error
	 FROM unnest($1::uuid[], $2::int[], $3::text[], $4::int[], $5::text[], $6::float8[]) AS u (id, attempts, status, code, error, delay_ms)
	 WHERE d.id = u.id AND d.attempts = u.attempts AND ${stillPending('d')}`;

/** RECORD_OUTCOMES_SQL's parameters for `batch`. */
export function recordOutcomesValues(batch: readonly RecordedOutcome[]): unknown[] {
	return [
		batch.map((o) => o.id),
		batch.map((o) => o.attempts),
		batch.map((o) => o.status),
		batch.map((o) => o.statusCode),
		batch.map((o) => o.error),
		batch.map((o) => o.delayMs),
	];
}

/**
 * Writes a batch of outcomes. Not a named prepared statement: Postgres plans it for each batch, with
 * the table's size at hand. A connection's generic plan would be the one made in its first seconds:
 * on a new install, when deliveries held a few pages, a sequential scan (seen in bench:fanout: kept
 * for the connection's life, it read the whole table for every batch as the table grew).
 */
export async function recordOutcomes(pool: Pool, batch: readonly RecordedOutcome[]): Promise<void> {
	await pool.query({ text: RECORD_OUTCOMES_SQL, values: recordOutcomesValues(batch) });
}

/**
 * Records outcomes, trying again for a few seconds while the database is away (a blip must not leave
 * delivered rows leased, to be sent again when their lease runs out).
 */
async function recordWhenBack(pool: Pool, batch: readonly RecordedOutcome[], tries = 20, delayMs = 250): Promise<void> {
	for (let attempt = 1; ; attempt++) {
		try {
			return await recordOutcomes(pool, batch);
		} catch (error) {
			if (attempt >= tries || !isConnectionError(error)) throw error;
			await new Promise((resolve) => setTimeout(resolve, delayMs));
		}
	}
}

/**
 * Records outcomes in groups: each call resolves once its outcome is written (or rejects). A group
 * waits `lingerMs` for more outcomes before it is written: the UPDATE costs Postgres about the same
 * for 5 rows as for 15 (measured at 1,000 deliveries/s: half the statements, 37 % less of their time).
 */
export function outcomeRecorder(
	pool: Pool,
	{ maxBatch = 500, lingerMs = 10 } = {},
): (outcome: RecordedOutcome) => Promise<void> {
	const queue: Array<{ outcome: RecordedOutcome; done: () => void; fail: (error: unknown) => void }> = [];
	let flushing = false;
	async function flush(): Promise<void> {
		if (flushing) return;
		flushing = true;
		try {
			if (lingerMs > 0) await new Promise((r) => setTimeout(r, lingerMs));
			while (queue.length > 0) {
				const batch = queue.splice(0, maxBatch);
				try {
					await recordWhenBack(
						pool,
						batch.map((entry) => entry.outcome),
					);
					for (const entry of batch) entry.done();
				} catch (error) {
					for (const entry of batch) entry.fail(error);
				}
			}
		} finally {
			flushing = false;
		}
	}
	return (outcome) =>
		new Promise((done, fail) => {
			queue.push({ outcome, done, fail });
			void flush();
		});
}
