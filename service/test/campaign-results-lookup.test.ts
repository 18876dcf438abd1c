// A campaign's send results name each person by wa_id or user_id, as the claim handed them out: the
// ledger's identifiers or the contact's current ones. Finding the recipient must read only that
// recipient, not every recipient of the campaign with its contact: a shop's campaign of thousands
// records a result per message sent, at Meta's pace.
import type { PoolClient } from 'pg';
import type { TestDatabase } from '../../test/helpers/postgres';
import { recordResults } from '../src/campaigns/repository';
import { migratedDatabase } from './helpers';

let db: TestDatabase;
let campaignId: string;
const RECIPIENTS = 5000;
const number = (i: number) => `4479${String(i).padStart(8, '0')}`;

beforeAll(async () => {
	db = await migratedDatabase('results_lookup');
	await db.pool.query(
		`INSERT INTO contacts (wa_id, name, consent) SELECT '4479' || lpad(g::text, 8, '0'), 'Customer ' || g, 'opted_in'
		 FROM generate_series(1, $1) g`,
		[RECIPIENTS],
	);
	const { rows } = await db.pool.query<{ id: string }>(
		`INSERT INTO campaigns (name, template_name, template_language, audience)
		 VALUES ('Diwali', 'diwali_offer', 'en', '{"tags": [], "match": "any"}') RETURNING id::text`,
	);
	campaignId = rows[0].id;
	await db.pool.query(
		`INSERT INTO campaign_recipients (campaign_id, contact_id, wa_id, state, claimed_at, claim_count)
		 SELECT $1, id, wa_id, 'claimed', now(), 1 FROM contacts`,
		[campaignId],
	);
	// Since the claim: one customer changed number; another is known by a BSUID only on the contact.
	await db.pool.query(`UPDATE contacts SET wa_id = $2 WHERE wa_id = $1`, [number(10), '447900099999']);
	await db.pool.query(`UPDATE contacts SET user_id = 'GB.bsuid20' WHERE wa_id = $1`, [number(20)]);
	await db.pool.query(`UPDATE campaign_recipients SET user_id = 'GB.bsuid30' WHERE wa_id = $1`, [number(30)]);
	await db.pool.query('ANALYZE contacts, campaign_recipients');
}, 60_000);
afterAll(async () => {
	await db.drop();
});

/** Runs `fn` in a transaction and returns its result with the rows this transaction read by sequential scan. */
async function withReads<T>(fn: (tx: PoolClient) => Promise<T>): Promise<{ result: T; seqRead: number }> {
	const tx = await db.pool.connect();
	try {
		// The backend's counts not yet reported to the statistics system, as they stand now (they may
		// hold earlier transactions' too: the difference is this one's).
		const seqRead = async () =>
			Number(
				(
					await tx.query<{ n: string }>(
						`SELECT coalesce(sum(seq_tup_read), 0) AS n FROM pg_stat_xact_user_tables WHERE relname IN ('contacts', 'campaign_recipients')`,
					)
				).rows[0].n,
			);
		await tx.query('BEGIN');
		const before = await seqRead();
		const result = await fn(tx);
		const after = await seqRead();
		await tx.query('COMMIT');
		return { result, seqRead: after - before };
	} finally {
		tx.release();
	}
}

test('each way of naming the person finds its recipient without reading the rest of the campaign', async () => {
	const { result, seqRead } = await withReads((tx) =>
		recordResults(tx, campaignId, [
			{ wa_id: number(1), wamid: 'wamid.ledger' }, // the ledger's number
			{ wa_id: '447900099999', wamid: 'wamid.new_number' }, // the contact's number now
			{ user_id: 'GB.bsuid20', wamid: 'wamid.contact_bsuid' }, // the contact's BSUID
			{ user_id: 'GB.bsuid30', wamid: 'wamid.ledger_bsuid' }, // the ledger's BSUID
			{ wa_id: '447000000001', wamid: 'wamid.outsider' }, // nobody in this campaign
		]),
	);
	expect(result.map((r) => [r.state, r.recorded, r.reason ?? null])).toEqual([
		['sent', true, null],
		['sent', true, null],
		['sent', true, null],
		['sent', true, null],
		[null, false, 'not_in_campaign'],
	]);
	const { rows } = await db.pool.query<{ wa_id: string; wamid: string }>(
		`SELECT wa_id, wamid FROM campaign_recipients WHERE campaign_id = $1 AND state = 'sent' ORDER BY wamid`,
		[campaignId],
	);
	expect(rows).toEqual([
		{ wa_id: number(20), wamid: 'wamid.contact_bsuid' },
		{ wa_id: number(1), wamid: 'wamid.ledger' },
		{ wa_id: number(30), wamid: 'wamid.ledger_bsuid' },
		{ wa_id: number(10), wamid: 'wamid.new_number' },
	]);
	// Five lookups among 5,000 recipients and their contacts: none of them a scan of the campaign.
	expect(seqRead).toBe(0);
});
