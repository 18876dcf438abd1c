// Recording the outcome of deliveries (and handing leases back) names the deliveries by id. Those
// statements must reach their rows through the primary key: deliveries_due_idx (partial on
// status = 'pending') keeps an entry for every delivery that finished since the last vacuum, so a
// statement that went through it read thousands of entries to update a handful of rows, more the
// longer the service ran (service/bench/README.md, tenth look).
import { randomBytes } from 'node:crypto';
import type { TestDatabase } from '../../test/helpers/postgres';
import { createSecretBox, parseEncryptionKeys } from '../src/crypto/secret-box';
import {
	RECORD_OUTCOMES_SQL,
	recordOutcomes,
	recordOutcomesValues,
	releaseLeases,
	type RecordedOutcome,
} from '../src/fanout/deliveries';
import { createSubscription } from '../src/fanout/repository';
import { migratedDatabase } from './helpers';

let db: TestDatabase;
let subscriptionId: string;
const box = createSecretBox(parseEncryptionKeys(`o1:${randomBytes(32).toString('base64')}`));
const FINISHED = 6000;

beforeAll(async () => {
	db = await migratedDatabase('outcomes');
	const { rows } = await db.pool.query<{ id: string }>(
		`INSERT INTO users (email, tier) VALUES ($1, 'pro') RETURNING id::text`,
		[`${randomBytes(6).toString('hex')}@example.com`],
	);
	const subscription = await createSubscription(db.pool, box, rows[0].id, {
		url: 'http://n8n.example.com/webhook/outcomes',
		event_types: ['whatsapp.message'],
	});
	subscriptionId = subscription.id;
	// A service that has run a while: thousands of deliveries finished, statistics taken then, and as
	// many finished since (their old entries still in deliveries_due_idx, no vacuum since).
	await addDeliveries(FINISHED, 'succeeded');
	await db.pool.query('VACUUM ANALYZE deliveries');
	await addDeliveries(FINISHED, 'succeeded');
}, 120_000);
afterAll(async () => {
	await db.drop();
});

/** `n` events with a delivery each, leased once (attempts 1), then set to `status`; returns the ids. */
async function addDeliveries(n: number, status: 'pending' | 'succeeded'): Promise<string[]> {
	const { rows } = await db.pool.query<{ id: string }>(
		`WITH e AS (
		   INSERT INTO events (type, dedupe_key, occurred_at, payload)
		   SELECT 'whatsapp.message', 'test:' || gen_random_uuid(), now(), '{}'::jsonb FROM generate_series(1, $1)
		   RETURNING id
		 )
		 INSERT INTO deliveries (subscription_id, event_id, event_type, attempts)
		 SELECT $2, e.id, 'whatsapp.message', 1 FROM e RETURNING id::text`,
		[n, subscriptionId],
	);
	const ids = rows.map((r) => r.id);
	if (status !== 'pending')
		await db.pool.query(`UPDATE deliveries SET status = $2, succeeded_at = now() WHERE id = ANY ($1::uuid[])`, [
			ids,
			status,
		]);
	return ids;
}

const succeeded = (id: string, attempts = 1): RecordedOutcome => ({
	id,
	attempts,
	status: 'succeeded',
	statusCode: 204,
	error: null,
	delayMs: 0,
});

/** The indexes the plan Postgres makes for `sql` with `values` reads (the statement is planned per call). */
async function indexesRead(sql: string, values: unknown[]): Promise<string[]> {
	const { rows } = await db.pool.query(`EXPLAIN (FORMAT JSON) ${sql}`, values);
	const found: string[] = [];
	const walk = (node: Record<string, unknown>) => {
		if (typeof node['Index Name'] === 'string') found.push(node['Index Name']);
		for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child);
	};
	walk((rows[0]['QUERY PLAN'] as [{ Plan: Record<string, unknown> }])[0].Plan);
	return found;
}

test('the outcome write reads its deliveries by primary key, not through the entries of finished ones', async () => {
	const ids = await addDeliveries(10, 'pending');
	const batch = ids.map((id) => succeeded(id));
	expect(await indexesRead(RECORD_OUTCOMES_SQL, recordOutcomesValues(batch))).toEqual(['deliveries_pkey']);

	// And it records what it should: the ten succeed.
	await recordOutcomes(db.pool, batch);
	const { rows } = await db.pool.query<{ status: string; n: number }>(
		`SELECT status, count(*)::int AS n FROM deliveries WHERE id = ANY ($1::uuid[]) GROUP BY status`,
		[ids],
	);
	expect(rows).toEqual([{ status: 'succeeded', n: 10 }]);
});

test('an outcome for an attempt another worker took over, or for a delivery no longer pending, changes nothing', async () => {
	const [retaken, finished, mine] = await addDeliveries(3, 'pending');
	await db.pool.query(`UPDATE deliveries SET attempts = 2 WHERE id = $1`, [retaken]);
	await db.pool.query(`UPDATE deliveries SET status = 'dead', last_error = 'subscription deleted' WHERE id = $1`, [
		finished,
	]);
	await recordOutcomes(db.pool, [succeeded(retaken, 1), succeeded(finished, 1), succeeded(mine, 1)]);
	const { rows } = await db.pool.query<{ id: string; status: string; attempts: number }>(
		`SELECT id::text, status, attempts FROM deliveries WHERE id = ANY ($1::uuid[])`,
		[[retaken, finished, mine]],
	);
	const byId = Object.fromEntries(rows.map((r) => [r.id, r]));
	expect(byId[retaken]).toMatchObject({ status: 'pending', attempts: 2 });
	expect(byId[finished]).toMatchObject({ status: 'dead', attempts: 1 });
	expect(byId[mine]).toMatchObject({ status: 'succeeded', attempts: 1 });
});

test('handing leases back touches only the named deliveries that are still pending', async () => {
	const [leased, done] = await addDeliveries(2, 'pending');
	await db.pool.query(`UPDATE deliveries SET status = 'succeeded', succeeded_at = now() WHERE id = $1`, [done]);
	await releaseLeases(db.pool, [leased, done]);
	const { rows } = await db.pool.query<{ id: string; status: string; attempts: number }>(
		`SELECT id::text, status, attempts FROM deliveries WHERE id = ANY ($1::uuid[])`,
		[[leased, done]],
	);
	const byId = Object.fromEntries(rows.map((r) => [r.id, r]));
	expect(byId[leased]).toMatchObject({ status: 'pending', attempts: 0 });
	expect(byId[done]).toMatchObject({ status: 'succeeded', attempts: 1 });
});
