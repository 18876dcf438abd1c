// Subscriptions (with their sealed signing secrets) and the deliveries listing / replay.
import { randomBytes } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import type { SecretBox } from '../crypto/secret-box';
import { FANOUT_CHANNEL, webhookIdFor } from './outbox';

type Db = Pool | PoolClient;

export interface SubscriptionRow {
	id: string;
	url: string;
	event_types: string[];
	description: string | null;
	created_at: Date;
}

export function generateSigningSecret(): string {
	return `whsec_${randomBytes(32).toString('base64')}`;
}

/**
 * How long after a subscription is deleted a new one for the same user and URL takes over what the
 * deleted one missed. n8n publishes an edited workflow by unpublishing it (the trigger deletes its
 * subscription) and publishing it again (the trigger creates a new one for the same webhook URL).
 */
export const SUBSCRIPTION_HANDOVER_SECONDS = 900;

/**
 * Creates a subscription. When the same user deleted a subscription for the same URL within
 * SUBSCRIPTION_HANDOVER_SECONDS (a workflow published again), the new one is handed what the old one
 * missed: the deliveries that ended because it was deleted, and the events stored since, so nothing
 * is lost between unpublishing and publishing. One statement.
 */
export async function createSubscription(
	db: Db,
	box: SecretBox,
	userId: string,
	input: { url: string; event_types: string[]; description?: string; secret?: string },
): Promise<SubscriptionRow & { secret: string; handed_over: number }> {
	const secret = input.secret ?? generateSigningSecret();
	const { rows } = await db.query<SubscriptionRow & { handed_over: number }>(
		`WITH s AS (
		   INSERT INTO subscriptions (user_id, url, event_types, description, secret_sealed)
		   VALUES ($1, $2, $3, $4, $5) RETURNING id, url, event_types, description, created_at
		 ),
		 previous AS (
		   SELECT id, deleted_at FROM subscriptions
		   WHERE user_id = $1 AND url = $2 AND deleted_at > now() - make_interval(secs => $6)
		 ),
		 handed AS (
		   INSERT INTO deliveries (subscription_id, event_id, event_type)
		   SELECT s.id, e.id, e.type FROM s, events e, users u
		   WHERE u.id = $1 AND EXISTS (SELECT 1 FROM previous)
		     AND (e.type = ANY (s.event_types) OR '*' = ANY (s.event_types))
		     AND (e.payload->>'visible_to_tier' IS NULL OR e.payload->>'visible_to_tier' = u.tier)
		     AND (e.received_at > (SELECT min(deleted_at) FROM previous)
		       OR e.id IN (SELECT d.event_id FROM deliveries d JOIN previous p ON p.id = d.subscription_id
		                   WHERE d.status = 'dead' AND d.last_error = 'subscription deleted'))
		   ON CONFLICT (subscription_id, event_id) DO NOTHING
		   RETURNING 1
		 ),
		 counted AS (SELECT count(*)::int AS n FROM handed)
		 SELECT s.*, counted.n AS handed_over, CASE WHEN counted.n > 0 THEN pg_notify($7, counted.n::text) END AS notified
		 FROM s, counted`,
		[
			userId,
			input.url,
			[...new Set(input.event_types)],
			input.description ?? null,
			box.seal(secret),
			SUBSCRIPTION_HANDOVER_SECONDS,
			FANOUT_CHANNEL,
		],
	);
	const { notified: _n, ...row } = rows[0] as SubscriptionRow & { handed_over: number; notified?: unknown };
	return { ...row, secret };
}

/**
 * Replaces a subscription's signing secret. The replaced one keeps signing beside the new one for
 * `overlapSeconds` (a secret replaced earlier is dropped: at most two sign at a time). One statement.
 */
export async function rotateSubscriptionSecret(
	db: Db,
	box: SecretBox,
	userId: string,
	id: string,
	overlapSeconds: number,
): Promise<{ id: string; secret: string; previous_secret_expires_at: Date } | undefined> {
	if (!isUuid(id)) return undefined;
	const secret = generateSigningSecret();
	const { rows } = await db.query<{ id: string; previous_secret_expires_at: Date }>(
		`UPDATE subscriptions SET previous_secret_sealed = secret_sealed, secret_sealed = $3,
		   previous_secret_expires_at = now() + make_interval(secs => $4)
		 WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL
		 RETURNING id, previous_secret_expires_at`,
		[id, userId, box.seal(secret), overlapSeconds],
	);
	return rows[0] && { id: rows[0].id, secret, previous_secret_expires_at: rows[0].previous_secret_expires_at };
}

export async function listSubscriptions(db: Db, userId: string): Promise<SubscriptionRow[]> {
	const { rows } = await db.query<SubscriptionRow>(
		`SELECT id, url, event_types, description, created_at FROM subscriptions
		 WHERE user_id = $1 AND deleted_at IS NULL ORDER BY created_at, id`,
		[userId],
	);
	return rows;
}

/** Deletes a subscription; its pending deliveries end as dead letters ("subscription deleted"). */
export async function deleteSubscription(tx: PoolClient, userId: string, id: string): Promise<boolean> {
	if (!isUuid(id)) return false;
	const { rowCount } = await tx.query(
		'UPDATE subscriptions SET deleted_at = now() WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL',
		[id, userId],
	);
	if (!rowCount) return false;
	await tx.query(
		`UPDATE deliveries SET status = 'dead', last_error = 'subscription deleted' WHERE subscription_id = $1 AND status = 'pending'`,
		[id],
	);
	return true;
}

export interface DeliveryRow {
	id: string;
	subscription_id: string;
	event_id: string;
	webhook_id: string;
	event_type: string;
	status: 'pending' | 'succeeded' | 'dead';
	attempts: number;
	next_attempt_at: Date | null;
	last_attempt_at: Date | null;
	last_status_code: number | null;
	last_error: string | null;
	succeeded_at: Date | null;
	created_at: Date;
}

const DELIVERY_SELECT = `SELECT d.id, d.subscription_id, d.event_id::text AS event_id, e.dedupe_key, d.event_type, d.status, d.attempts,
	CASE WHEN d.status = 'pending' THEN d.next_attempt_at END AS next_attempt_at,
	d.last_attempt_at, d.last_status_code, d.last_error, d.succeeded_at, d.created_at, d.created_at::text AS cursor_at
	FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id JOIN events e ON e.id = d.event_id`;

function toDelivery(row: DeliveryRow & { dedupe_key: string }): DeliveryRow {
	const { dedupe_key, ...rest } = row;
	return { ...rest, webhook_id: webhookIdFor(dedupe_key) };
}

export async function listDeliveries(
	db: Db,
	userId: string,
	filter: {
		subscription_id?: string;
		status?: string;
		event_type?: string;
		after?: { created_at: string; id: string };
		limit: number;
	},
): Promise<DeliveryRow[]> {
	const { rows } = await db.query<DeliveryRow & { dedupe_key: string }>(
		`${DELIVERY_SELECT}
		 WHERE s.user_id = $1
		   AND ($2::uuid IS NULL OR d.subscription_id = $2::uuid)
		   AND ($3::text IS NULL OR d.status = $3)
		   AND ($4::text IS NULL OR d.event_type = $4)
		   AND ($5::timestamptz IS NULL OR (d.created_at, d.id) < ($5::timestamptz, $6::uuid))
		 ORDER BY d.created_at DESC, d.id DESC LIMIT $7`,
		[
			userId,
			filter.subscription_id ?? null,
			filter.status ?? null,
			filter.event_type ?? null,
			filter.after?.created_at ?? null,
			filter.after?.id ?? null,
			filter.limit,
		],
	);
	return rows.map(toDelivery);
}

export async function getDelivery(db: Db, userId: string, id: string): Promise<DeliveryRow | undefined> {
	if (!isUuid(id)) return undefined;
	const { rows } = await db.query<DeliveryRow & { dedupe_key: string }>(
		`${DELIVERY_SELECT} WHERE s.user_id = $1 AND d.id = $2`,
		[userId, id],
	);
	return rows[0] ? toDelivery(rows[0]) : undefined;
}

/**
 * Sends a delivery again from the start of the schedule (a dead letter after the subscriber was
 * fixed, or a succeeded one on purpose). Same webhook-id: a subscriber that already processed it can
 * recognise it. Refused for a deleted subscription.
 */
export async function replayDelivery(
	tx: PoolClient,
	userId: string,
	id: string,
): Promise<DeliveryRow | 'subscription_deleted' | undefined> {
	if (!isUuid(id)) return undefined;
	const target = await tx.query<{ deleted: boolean }>(
		`SELECT s.deleted_at IS NOT NULL AS deleted FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id
		 WHERE d.id = $1 AND s.user_id = $2 FOR UPDATE OF d`,
		[id, userId],
	);
	if (!target.rows[0]) return undefined;
	if (target.rows[0].deleted) return 'subscription_deleted';
	await tx.query(
		`UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = now(), succeeded_at = NULL WHERE id = $1`,
		[id],
	);
	await tx.query('SELECT pg_notify($1, $2)', [FANOUT_CHANNEL, '1']);
	return getDelivery(tx, userId, id);
}

function isUuid(value: string): boolean {
	return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
