// The durable outbox: every stored event gets one delivery per matching subscription, written in the
// same transaction as the event, so an event is never stored without its deliveries (or vice versa).
import { createHash } from 'node:crypto';
import type { PoolClient } from 'pg';
import { STORED_EVENTS } from '../db/events';
import { join, preparedQuery, raw, sql, toQuery, type SqlFragment, type StatementWork } from '../db/sql';

/** An event row of the event store (table `events`) as the hooks receive it. */
interface StoredEventRef {
	id: string | number;
	type: string;
	/** Only subscriptions whose owner has this tier receive the event (absent: every subscription). */
	visibleToTier?: 'free' | 'pro';
}

export const FANOUT_CHANNEL = 'tp_fanout';

/**
 * The events to fan out as a FROM item `e (id, type, tier)`: from parameter arrays, one row per
 * event. An event that only some tiers may see (`visibleToTier`, e.g. the premium part of an ingested
 * bundle) goes only to subscriptions whose owner has that tier.
 */
function eventsFromArrays(events: readonly StoredEventRef[]): SqlFragment {
	return sql`unnest(${events.map((e) => String(e.id))}::bigint[], ${events.map((e) => e.type)}::text[], ${events.map((e) => e.visibleToTier ?? null)}::text[])
		AS e (id, type, tier)`;
}

/**
 * The same FROM item over the event store's `stored_events` CTE (the rows its insert statement
 * returned: id, type, payload), the tier read from the payload as `visibleToTier` reads it.
 */
export const STORED_EVENTS_SOURCE: SqlFragment = sql`(SELECT id, type,
		CASE WHEN payload->>'visible_to_tier' IN ('free', 'pro') THEN payload->>'visible_to_tier' END AS tier
		FROM ${STORED_EVENTS}) AS e`;

/** The (subscription, event) pairs that get a delivery: subscription_id, event_id, event_type. */
function matchingSql(source: SqlFragment): SqlFragment {
	return sql`SELECT s.id AS subscription_id, e.id AS event_id, e.type AS event_type
	FROM ${source}
	JOIN subscriptions s ON s.deleted_at IS NULL AND (e.type = ANY (s.event_types) OR '*' = ANY (s.event_types))
	JOIN users u ON u.id = s.user_id AND (e.tier IS NULL OR u.tier = e.tier)`;
}

/** The event hook's `before` statements as leading CTEs of the outbox statement (one round trip). */
function beforeCtes(before: readonly SqlFragment[]): SqlFragment[] {
	return before.map((statement, index) => sql`${raw(`before${index}`)} AS (${statement} RETURNING 1)`);
}

/** `work` as a statement of its own: its CTEs, then its result as the one column `result`. */
function workQuery(work: StatementWork): { text: string; values: unknown[] } {
	return toQuery(sql`WITH ${join(work.ctes, ', ')} SELECT ${work.result} AS result`);
}

/**
 * The outbox's work as CTEs and a scalar result: `before` first, then one
 * delivery per (event of `source`, matching active subscription), and when any was inserted a NOTIFY
 * to the delivery workers (delivered when the transaction commits, dropped if it rolls back). The
 * result is the number of deliveries inserted.
 */
export function outboxWork(source: SqlFragment, before: readonly SqlFragment[]): StatementWork {
	return {
		ctes: [
			...beforeCtes(before),
			sql`ins AS (INSERT INTO deliveries (subscription_id, event_id, event_type)
		${matchingSql(source)}
		ON CONFLICT (subscription_id, event_id) DO NOTHING RETURNING 1)`,
			sql`counted AS (SELECT count(*)::int AS n FROM ins)`,
			sql`notified AS MATERIALIZED (SELECT n, CASE WHEN n > 0 THEN pg_notify(${FANOUT_CHANNEL}, n::text) END AS notified FROM counted)`,
		],
		result: sql`(SELECT n FROM notified)`,
	};
}

/**
 * Inserts the deliveries of `events` (see `outboxWork`); `before` are further statements run first in
 * the same round trip (the event hook's). Returns the number of deliveries. `prepared`: as a named
 * prepared statement (measured: the hook's statement was the slowest of the event store's
 * transaction while Postgres planned it for every batch).
 */
export async function enqueueDeliveries(
	tx: PoolClient,
	events: readonly StoredEventRef[],
	before: readonly SqlFragment[] = [],
	{ prepared = false } = {},
): Promise<number> {
	if (events.length === 0 && before.length === 0) return 0;
	const query = workQuery(outboxWork(eventsFromArrays(events), before));
	const { rows } = await tx.query<{ result: number }>(preparedQuery(query, prepared));
	return rows[0]?.result ?? 0;
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

/** What the claiming outbox statement answers: deliveries inserted, and the claimed ones. */
export interface ClaimOutcome {
	count: number;
	claimed: ClaimedDelivery[];
}

/**
 * As `outboxWork`, but the first `claim.limit` deliveries are inserted already leased to this
 * process's worker for `claim.leaseMs` (attempt 1 counted, as a lease counts it), which sends them
 * once the transaction commits: no NOTIFY and no lease statement on their way out. The others wait in
 * the outbox as usual (NOTIFY). The result (json, read with `claimOutcome`) is the number inserted and
 * the claimed ones with their subscription's URL and sealed secrets. A process that dies before
 * sending them leaves them leased: another instance takes them over when the lease runs out, as after
 * any crash.
 */
export function claimingOutboxWork(
	source: SqlFragment,
	before: readonly SqlFragment[],
	claim: { limit: number; leaseMs: number },
): StatementWork {
	const claimed = sql`m.n <= ${claim.limit}::int`;
	return {
		ctes: [
			...beforeCtes(before),
			sql`ins AS (
		INSERT INTO deliveries (subscription_id, event_id, event_type, attempts, last_attempt_at, next_attempt_at)
		SELECT m.subscription_id, m.event_id, m.event_type, CASE WHEN ${claimed} THEN 1 ELSE 0 END,
			CASE WHEN ${claimed} THEN now() END,
			CASE WHEN ${claimed} THEN now() + make_interval(secs => ${claim.leaseMs}::double precision / 1000) ELSE now() END
		FROM (SELECT matched.*, row_number() OVER () AS n FROM (${matchingSql(source)}) matched) m
		ON CONFLICT (subscription_id, event_id) DO NOTHING
		RETURNING id, subscription_id, event_id, event_type, attempts)`,
			sql`counted AS MATERIALIZED (
		SELECT count(*)::int AS n, count(*) FILTER (WHERE attempts = 0)::int AS waiting FROM ins)`,
			sql`notified AS MATERIALIZED (
		SELECT n, CASE WHEN waiting > 0 THEN pg_notify(${FANOUT_CHANNEL}, waiting::text) END AS notified FROM counted)`,
		],
		result: sql`(SELECT json_build_object('count', c.n, 'claimed', coalesce(json_agg(json_build_object(
			'id', i.id::text, 'event_id', i.event_id::text, 'event_type', i.event_type, 'attempts', i.attempts,
			'url', s.url, 'secret_sealed', s.secret_sealed,
			'previous_secret_sealed', CASE WHEN s.previous_secret_expires_at > now() THEN s.previous_secret_sealed END
		)) FILTER (WHERE i.id IS NOT NULL), '[]'::json))
		FROM notified c LEFT JOIN (ins i JOIN subscriptions s ON s.id = i.subscription_id) ON i.attempts = 1
		GROUP BY c.n)`,
	};
}

/** Reads the result of `claimingOutboxWork` (as `pg` parsed it, or its JSON text). */
export function claimOutcome(result: unknown): ClaimOutcome {
	const value = (typeof result === 'string' ? JSON.parse(result) : result) as ClaimOutcome | null;
	return { count: value?.count ?? 0, claimed: value?.claimed ?? [] };
}

/** `claimingOutboxWork` over `events` in its own statement, inside the caller's transaction. */
export async function enqueueDeliveriesClaiming(
	tx: PoolClient,
	events: readonly StoredEventRef[],
	before: readonly SqlFragment[],
	claim: { limit: number; leaseMs: number },
	{ prepared = false } = {},
): Promise<ClaimOutcome> {
	const query = workQuery(claimingOutboxWork(eventsFromArrays(events), before, claim));
	const { rows } = await tx.query<{ result: unknown }>(preparedQuery(query, prepared));
	return claimOutcome(rows[0]?.result);
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
