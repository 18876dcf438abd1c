// The durable outbox: every stored event gets one delivery per matching subscription, written in the
// same transaction as the event, so an event is never stored without its deliveries (or vice versa).
import { createHash } from 'node:crypto';
import type { PoolClient } from 'pg';
import { join, preparedQuery, raw, sql, toQuery, type SqlFragment } from '../db/sql';

/** An event row of the event store (table `events`) as the hooks receive it. */
interface StoredEventRef {
	id: string | number;
	type: string;
	/** Only subscriptions whose owner has this tier receive the event (absent: every subscription). */
	visibleToTier?: 'free' | 'pro';
}

export const FANOUT_CHANNEL = 'tp_fanout';

/**
 * Inserts one delivery per (event, matching active subscription). An event that only some tiers may
 * see (`visibleToTier`, e.g. the premium part of an ingested bundle) goes only to subscriptions whose
 * owner has that tier. Usable as a CTE.
 */
function outboxInsertSql(events: readonly StoredEventRef[]): SqlFragment {
	return sql`INSERT INTO deliveries (subscription_id, event_id, event_type)
	${matchingSql(events)}
	ON CONFLICT (subscription_id, event_id) DO NOTHING`;
}

/** The (subscription, event) pairs that get a delivery: subscription_id, event_id, event_type. */
function matchingSql(events: readonly StoredEventRef[]): SqlFragment {
	return sql`SELECT s.id AS subscription_id, e.id AS event_id, e.type AS event_type
	FROM unnest(${events.map((e) => String(e.id))}::bigint[], ${events.map((e) => e.type)}::text[], ${events.map((e) => e.visibleToTier ?? null)}::text[])
		AS e (id, type, tier)
	JOIN subscriptions s ON s.deleted_at IS NULL AND (e.type = ANY (s.event_types) OR '*' = ANY (s.event_types))
	JOIN users u ON u.id = s.user_id AND (e.tier IS NULL OR u.tier = e.tier)`;
}

/** The event hook's `before` statements as leading CTEs of the outbox statement (one round trip). */
function beforeCtes(before: readonly SqlFragment[]): SqlFragment[] {
	return before.map((statement, index) => sql`${raw(`before${index}`)} AS (${statement} RETURNING 1), `);
}

/**
 * Inserts the deliveries of `events` and, when any was inserted, NOTIFYs the delivery workers
 * (delivered when the transaction commits, dropped if it rolls back). `before` are further
 * statements run first in the same round trip (the event hook's). Returns the number of deliveries.
 * `prepared`: as a named prepared statement (measured: the hook's statement was the slowest of the
 * event store's transaction while Postgres planned it for every batch).
 */
export async function enqueueDeliveries(
	tx: PoolClient,
	events: readonly StoredEventRef[],
	before: readonly SqlFragment[] = [],
	{ prepared = false } = {},
): Promise<number> {
	if (events.length === 0 && before.length === 0) return 0;
	const ctes = beforeCtes(before);
	const query =
		toQuery(sql`WITH ${join(ctes)}ins AS (${outboxInsertSql(events)} RETURNING 1), counted AS (SELECT count(*)::int AS n FROM ins)
		 SELECT n, CASE WHEN n > 0 THEN pg_notify(${FANOUT_CHANNEL}, n::text) END AS notified FROM counted`);
	const { rows } = await tx.query<{ n: number }>(preparedQuery(query, prepared));
	return rows[0]?.n ?? 0;
}

/** A delivery inserted already leased to the worker of this process (its first attempt counted). */
export interface ClaimedDelivery {
	id: string;
	event_id: string;
	event_type: string;
	attempts: number;
	url: string;
	secret_sealed: string;
	previous_secret_sealed: string | null;
}

/**
 * As `enqueueDeliveries`, but the first `claim.limit` deliveries are inserted already leased to this
 * process's worker for `claim.leaseMs` (attempt 1 counted, as a lease counts it), which sends them
 * once the transaction commits: no NOTIFY and no lease statement on their way out. The others wait in
 * the outbox as usual (NOTIFY). Returns the number inserted and the claimed ones with their
 * subscription's URL and sealed secrets. A process that dies before sending them leaves them leased:
 * another instance takes them over when the lease runs out, as after any crash.
 */
export async function enqueueDeliveriesClaiming(
	tx: PoolClient,
	events: readonly StoredEventRef[],
	before: readonly SqlFragment[],
	claim: { limit: number; leaseMs: number },
	{ prepared = false } = {},
): Promise<{ count: number; claimed: ClaimedDelivery[] }> {
	const ctes = beforeCtes(before);
	const claimed = sql`m.n <= ${claim.limit}::int`;
	const query = toQuery(sql`WITH ${join(ctes)}ins AS (
		INSERT INTO deliveries (subscription_id, event_id, event_type, attempts, last_attempt_at, next_attempt_at)
		SELECT m.subscription_id, m.event_id, m.event_type, CASE WHEN ${claimed} THEN 1 ELSE 0 END,
			CASE WHEN ${claimed} THEN now() END,
			CASE WHEN ${claimed} THEN now() + make_interval(secs => ${claim.leaseMs}::double precision / 1000) ELSE now() END
		FROM (SELECT matched.*, row_number() OVER () AS n FROM (${matchingSql(events)}) matched) m
		ON CONFLICT (subscription_id, event_id) DO NOTHING
		RETURNING id, subscription_id, event_id, event_type, attempts
	), counted AS MATERIALIZED (
		SELECT count(*)::int AS n, count(*) FILTER (WHERE attempts = 0)::int AS waiting FROM ins
	), notified AS MATERIALIZED (
		SELECT n, CASE WHEN waiting > 0 THEN pg_notify(${FANOUT_CHANNEL}, waiting::text) END AS notified FROM counted
	)
	SELECT c.n, i.id, i.event_id::text AS event_id, i.event_type, i.attempts, s.url, s.secret_sealed,
		CASE WHEN s.previous_secret_expires_at > now() THEN s.previous_secret_sealed END AS previous_secret_sealed
	FROM notified c LEFT JOIN (ins i JOIN subscriptions s ON s.id = i.subscription_id) ON i.attempts = 1`);
	const { rows } = await tx.query<{ n: number } & { [K in keyof ClaimedDelivery]: ClaimedDelivery[K] | null }>(
		preparedQuery(query, prepared),
	);
	return {
		count: rows[0]?.n ?? 0,
		claimed: rows
			.filter((row): row is { n: number } & ClaimedDelivery => row.id !== null)
			.map(({ n: _n, ...row }) => row),
	};
}

/**
 * Stores an event the service itself raises (e.g. `contact.opted_out`) in the event store and fans it
 * out. Deduplicated on `dedupeKey` like Meta's events: returns undefined when it already exists.
 */
export async function emitEvent(
	tx: PoolClient,
	event: { type: string; dedupeKey: string; occurredAt: Date; payload: Record<string, unknown> },
): Promise<StoredEventRef | undefined> {
	const { rows } = await tx.query<{ id: string }>(
		`INSERT INTO events (type, dedupe_key, occurred_at, payload) VALUES ($1, $2, $3, $4)
		 ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
		[event.type, event.dedupeKey, event.occurredAt, event.payload],
	);
	if (!rows[0]) return undefined;
	const stored = { id: rows[0].id, type: event.type };
	await enqueueDeliveries(tx, [stored]);
	return stored;
}

/**
 * The Standard Webhooks `webhook-id` of an event: derived from Meta's own identity of the event (its
 * deduplication key), so it is the same on every attempt and every replay, and subscribers
 * deduplicate on it.
 */
export function webhookIdFor(dedupeKey: string): string {
	return `msg_${createHash('sha256').update(dedupeKey).digest('base64url').slice(0, 27)}`;
}
