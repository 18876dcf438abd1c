// Campaign controls in Postgres: the campaign's own status (schedule, pause, resume, cancel, fail,
// settle), releasing claims that were never sent, and the staff funnel. The rules live in outcome.ts.
import type { Pool, PoolClient } from 'pg';
import type { ContactKey } from '../consent/identity';
import {
	controlTransition,
	plainReason,
	settledStatus,
	summaryLine,
	type CampaignAction,
	type CampaignStatus,
	type Funnel,
} from './outcome';

type Db = Pool | PoolClient;

export interface CampaignControlRow {
	id: string;
	status: CampaignStatus;
	status_reason: string | null;
	status_changed_at: Date;
	scheduled_at: Date | null;
	report_token: string;
	skipped_at_snapshot: Record<string, number>;
}

export class ControlError extends Error {}

const CONTROL_COLUMNS = 'id, status, status_reason, status_changed_at, scheduled_at, report_token, skipped_at_snapshot';

export async function campaignControl(db: Db, id: string): Promise<CampaignControlRow | undefined> {
	return (await db.query<CampaignControlRow>(`SELECT ${CONTROL_COLUMNS} FROM campaigns WHERE id = $1`, [id])).rows[0];
}

export async function campaignIdByReportToken(db: Db, token: string): Promise<string | undefined> {
	if (!/^[0-9a-f]{64}$/.test(token)) return undefined;
	return (await db.query<{ id: string }>('SELECT id FROM campaigns WHERE report_token = $1', [token])).rows[0]?.id;
}

/** A new campaign with a start time in the future waits as `scheduled`. */
export async function scheduleCampaign(tx: PoolClient, id: string, at: Date): Promise<void> {
	await tx.query(
		`UPDATE campaigns SET scheduled_at = $2, status = CASE WHEN $2 > now() THEN 'scheduled' ELSE 'running' END, status_changed_at = now() WHERE id = $1`,
		[id, at],
	);
}

/**
 * Inside a claim's transaction: starts a scheduled campaign whose time has come, then returns its
 * status, holding a share lock so a pause waits for the claim in flight and the next claim sees it.
 */
export async function claimGate(tx: PoolClient, id: string, resendUnknown: boolean): Promise<CampaignControlRow> {
	await tx.query(
		`UPDATE campaigns SET status = 'running', status_changed_at = now() WHERE id = $1 AND status = 'scheduled' AND scheduled_at <= now()`,
		[id],
	);
	// An explicit resend of recipients with no result reopens a settled campaign (it settles again).
	if (resendUnknown) {
		await tx.query(
			`UPDATE campaigns c SET status = 'running', status_reason = NULL, status_changed_at = now() WHERE id = $1 AND status IN ('completed', 'failed')
			   AND EXISTS (SELECT 1 FROM campaign_recipients r WHERE r.campaign_id = c.id AND r.state = 'unknown')`,
			[id],
		);
	}
	return (await tx.query<CampaignControlRow>(`SELECT ${CONTROL_COLUMNS} FROM campaigns WHERE id = $1 FOR SHARE`, [id]))
		.rows[0];
}

/** Pause, resume or cancel. Cancel lets the recipients not yet claimed go (skipped: campaign_cancelled). */
export async function controlCampaign(tx: PoolClient, id: string, action: CampaignAction): Promise<void> {
	const row = (
		await tx.query<CampaignControlRow & { in_future: boolean }>(
			`SELECT ${CONTROL_COLUMNS}, coalesce(scheduled_at > now(), false) AS in_future FROM campaigns WHERE id = $1 FOR UPDATE`,
			[id],
		)
	).rows[0];
	const next = controlTransition(row.status, action, row.in_future);
	if (!next.ok) throw new ControlError(next.message);
	if (next.status === row.status) return;
	const reason = action === 'cancel' ? 'cancelled by staff' : null;
	await tx.query('UPDATE campaigns SET status = $2, status_reason = $3, status_changed_at = now() WHERE id = $1', [
		id,
		next.status,
		reason,
	]);
	if (action === 'cancel') {
		await tx.query(
			`UPDATE campaign_recipients SET state = 'skipped', skip_reason = 'campaign_cancelled', updated_at = now() WHERE campaign_id = $1 AND state = 'pending'`,
			[id],
		);
	}
}

/**
 * Claimed recipients that were not sent (the sending step stopped before them) go back to `pending`:
 * the next claim, or a resume after a fix, sends them exactly once. Only `claimed` rows move, so a
 * recipient with a recorded result is never released. Returns how many were released.
 */
export async function releaseClaims(tx: PoolClient, id: string, who: readonly ContactKey[] | null): Promise<number> {
	const waIds = who ? who.flatMap((k) => (k.wa_id ? [k.wa_id] : [])) : null;
	const userIds = who ? who.flatMap((k) => (k.user_id ? [k.user_id] : [])) : null;
	const { rowCount } = await tx.query(
		`UPDATE campaign_recipients r SET state = 'pending', claimed_at = NULL, updated_at = now()
		 WHERE r.campaign_id = $1 AND r.state = 'claimed'
		   AND ($2::text[] IS NULL OR r.wa_id = ANY ($2::text[]) OR r.user_id = ANY ($3::text[])
		        OR r.contact_id IN (SELECT c.id FROM contacts c WHERE c.wa_id = ANY ($2::text[]) OR c.user_id = ANY ($3::text[])))`,
		[id, waIds, userIds],
	);
	return rowCount ?? 0;
}

/** Marks a campaign failed with the reason staff see; its unsent recipients stay resumable. */
export async function failCampaign(tx: PoolClient, id: string, reason: string): Promise<void> {
	const row = (
		await tx.query<{ status: CampaignStatus }>('SELECT status FROM campaigns WHERE id = $1 FOR UPDATE', [id])
	).rows[0];
	if (row.status === 'completed' || row.status === 'cancelled')
		throw new ControlError(`The campaign is ${row.status}; it cannot be marked failed.`);
	await tx.query(
		`UPDATE campaigns SET status = 'failed', status_reason = $2, status_changed_at = now() WHERE id = $1`,
		[id, reason],
	);
}

export async function campaignFunnel(db: Db, id: string, skippedAtSnapshot: Record<string, number>): Promise<Funnel> {
	const counts = (
		await db.query<Record<string, string>>(
			`SELECT count(*) AS recipients,
			        count(*) FILTER (WHERE (r.sent_at IS NOT NULL OR r.state IN ('sent', 'delivered', 'read')) AND r.state <> 'held_by_meta') AS sent,
			        count(*) FILTER (WHERE r.delivered_at IS NOT NULL OR r.state IN ('delivered', 'read')) AS delivered,
			        count(*) FILTER (WHERE r.read_at IS NOT NULL OR r.state = 'read') AS read,
			        count(*) FILTER (WHERE r.sent_at IS NOT NULL AND c.last_inbound_at > r.sent_at) AS replied,
			        count(*) FILTER (WHERE r.state = 'failed') AS failed,
			        count(*) FILTER (WHERE r.state = 'held_by_meta') AS held_by_meta,
			        count(*) FILTER (WHERE r.state = 'skipped' AND r.skip_reason IS DISTINCT FROM 'campaign_cancelled') AS skipped_since,
			        count(*) FILTER (WHERE r.state = 'skipped' AND r.skip_reason = 'campaign_cancelled') AS cancelled,
			        count(*) FILTER (WHERE r.state = 'pending') AS waiting,
			        count(*) FILTER (WHERE r.state = 'claimed') AS in_flight,
			        count(*) FILTER (WHERE r.state = 'unknown') AS unknown
			 FROM campaign_recipients r LEFT JOIN contacts c ON c.id = r.contact_id WHERE r.campaign_id = $1`,
			[id],
		)
	).rows[0];
	const failures = await db.query<{ code: string | null; title: string | null; n: string }>(
		`SELECT error_code AS code, min(error_title) AS title, count(*) AS n FROM campaign_recipients
		 WHERE campaign_id = $1 AND state = 'failed' GROUP BY error_code ORDER BY count(*) DESC, error_code`,
		[id],
	);
	const n = (key: string) => Number(counts[key] ?? 0);
	const atCreation = Object.values(skippedAtSnapshot).reduce((a, b) => a + b, 0);
	return {
		audience: n('recipients') + atCreation,
		recipients: n('recipients'),
		skipped_by_consent: { at_creation: atCreation, since_creation: n('skipped_since') },
		sent: n('sent'),
		delivered: n('delivered'),
		read: n('read'),
		replied: n('replied'),
		failed: n('failed'),
		held_by_meta: n('held_by_meta'),
		failed_by_reason: failures.rows.map((r) => {
			const code = r.code === null ? null : Number(r.code);
			return { code, reason: plainReason(code, r.title), count: Number(r.n) };
		}),
		waiting: n('waiting'),
		in_flight: n('in_flight'),
		unknown: n('unknown'),
		cancelled: n('cancelled'),
	};
}

export interface CampaignOutcome {
	status: CampaignStatus;
	status_reason: string | null;
	scheduled_at: Date | null;
	report_token: string;
	funnel: Funnel;
	summary: string;
}

/**
 * The campaign's status and funnel; a running campaign with nobody left to send to is settled here
 * (completed, or failed with the reason when nothing was sent) so no report ever says "running" for
 * a campaign that has stopped.
 */
export async function campaignOutcome(db: Db, id: string): Promise<CampaignOutcome> {
	let row = (await campaignControl(db, id))!;
	const funnel = await campaignFunnel(db, id, row.skipped_at_snapshot);
	const settled = row.status === 'running' ? settledStatus(funnel) : undefined;
	if (settled) {
		const updated = await db.query<CampaignControlRow>(
			`UPDATE campaigns SET status = $2, status_reason = $3, status_changed_at = now() WHERE id = $1 AND status = 'running' RETURNING ${CONTROL_COLUMNS}`,
			[id, settled.status, settled.reason],
		);
		row = updated.rows[0] ?? (await campaignControl(db, id))!;
	}
	return {
		status: row.status,
		status_reason: row.status_reason,
		scheduled_at: row.scheduled_at,
		report_token: row.report_token,
		funnel,
		summary: summaryLine(row.status, row.status_reason, funnel, row.scheduled_at),
	};
}
