// The shared send budget in Postgres: one bucket row per phone number, locked for the few statements
// of one lease (the upsert takes the row lock), so leases from every service replica are decided one
// after another on one clock (the database's). The maths is the pure core (core/send-budget.ts).
import type { PoolClient } from 'pg';
import { decideLease, type LeaseDecision, type LiveLease } from '../core/send-budget';

const NOW_US = `(extract(epoch FROM clock_timestamp()) * 1000000)::bigint`;

export interface LeaseInput {
	phoneNumberId: string;
	campaign: string;
	want: number;
	ratePerSecond: number;
}

export interface Lease extends LeaseDecision {
	id: string | null;
	nowUs: number;
}

/** Decides and records one lease; run inside a transaction. */
export async function leasePermits(tx: PoolClient, input: LeaseInput): Promise<Lease> {
	const bucket = await tx.query<{ tat_us: string }>(
		`INSERT INTO send_budgets AS b (phone_number_id, rate_per_second) VALUES ($1, $2)
		 ON CONFLICT (phone_number_id) DO UPDATE SET rate_per_second = EXCLUDED.rate_per_second
		 RETURNING tat_us`,
		[input.phoneNumberId, input.ratePerSecond],
	);
	// The clock is read after the row lock is held: a lease decided later never sees an earlier time.
	const { rows } = await tx.query<{
		now_us: string;
		campaign: string | null;
		granted: number;
		first_us: string;
		interval_us: string;
		expires_us: string;
	}>(
		`WITH n AS (SELECT ${NOW_US} AS now_us)
		 SELECT n.now_us, l.campaign, l.granted, l.first_us, l.interval_us, l.expires_us
		 FROM n LEFT JOIN send_budget_leases l ON l.phone_number_id = $1 AND l.expires_us > n.now_us`,
		[input.phoneNumberId],
	);
	const nowUs = Number(rows[0].now_us);
	const live: LiveLease[] = rows
		.filter((r) => r.campaign !== null)
		.map((r) => ({
			campaign: r.campaign as string,
			granted: r.granted,
			firstUs: Number(r.first_us),
			intervalUs: Number(r.interval_us),
			expiresUs: Number(r.expires_us),
		}));
	const decision = decideLease(Number(bucket.rows[0].tat_us), live, {
		campaign: input.campaign,
		want: input.want,
		ratePerSecond: input.ratePerSecond,
		nowUs,
	});
	if (decision.granted === 0) return { ...decision, id: null, nowUs };
	await tx.query('UPDATE send_budgets SET tat_us = $2, updated_at = now() WHERE phone_number_id = $1', [
		input.phoneNumberId,
		decision.nextTatUs,
	]);
	// Leases a minute past their expiry tell nothing any more.
	await tx.query('DELETE FROM send_budget_leases WHERE phone_number_id = $1 AND expires_us < $2', [
		input.phoneNumberId,
		nowUs - 60_000_000,
	]);
	const inserted = await tx.query<{ id: string }>(
		`INSERT INTO send_budget_leases (phone_number_id, campaign, granted, first_us, interval_us, expires_us)
		 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		[input.phoneNumberId, input.campaign, decision.granted, decision.firstUs, decision.intervalUs, decision.expiresUs],
	);
	return { ...decision, id: inserted.rows[0].id, nowUs };
}

export interface PairSlot {
	recipient: string;
	/** When the message may start (µs, database clock). */
	atUs: number;
}

/**
 * Reserves the next send slot of each recipient (in order; a recipient given twice gets two slots
 * `spacingUs` apart): max(now, previous slot + spacing). One statement, rows taken in recipient
 * order so concurrent reservations do not deadlock.
 */
export async function reservePairSlots(
	tx: PoolClient,
	phoneNumberId: string,
	recipients: readonly string[],
	spacingUs: number,
): Promise<{ nowUs: number; slots: PairSlot[] }> {
	const { rows } = await tx.query<{ recipient: string; last_us: string; now_us: string }>(
		`WITH n AS (SELECT ${NOW_US} AS now_us),
		 input AS (SELECT r AS recipient, count(*)::bigint AS times FROM unnest($2::text[]) AS r GROUP BY r)
		 INSERT INTO send_pair_slots AS s (phone_number_id, recipient, last_us)
		 SELECT $1, input.recipient, n.now_us + (input.times - 1) * $3::bigint FROM input, n ORDER BY input.recipient
		 ON CONFLICT (phone_number_id, recipient) DO UPDATE
		   SET last_us = greatest(EXCLUDED.last_us, s.last_us + EXCLUDED.last_us - (SELECT now_us FROM n) + $3::bigint)
		 RETURNING s.recipient, s.last_us, (SELECT now_us FROM n) AS now_us`,
		[phoneNumberId, recipients, spacingUs],
	);
	const last = new Map(rows.map((r) => [r.recipient, Number(r.last_us)]));
	const times = new Map<string, number>();
	for (const r of recipients) times.set(r, (times.get(r) ?? 0) + 1);
	const next = new Map<string, number>();
	for (const [r, n] of times) next.set(r, (last.get(r) as number) - (n - 1) * spacingUs);
	const slots = recipients.map((recipient) => {
		const atUs = next.get(recipient) as number;
		next.set(recipient, atUs + spacingUs);
		return { recipient, atUs };
	});
	// Slots an hour old constrain nothing. Rows another reservation holds are left for later (no waiting, no deadlock).
	await tx.query(
		`DELETE FROM send_pair_slots WHERE (phone_number_id, recipient) IN (
		   SELECT phone_number_id, recipient FROM send_pair_slots WHERE phone_number_id = $1 AND last_us < $2 LIMIT 1000 FOR UPDATE SKIP LOCKED)`,
		[phoneNumberId, Number(rows[0]?.now_us ?? 0) - 3_600_000_000],
	);
	return { nowUs: Number(rows[0]?.now_us ?? 0), slots };
}
