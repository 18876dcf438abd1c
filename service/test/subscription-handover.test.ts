// n8n publishes an edited workflow by unpublishing it (the TiltedPrompts Trigger deletes its
// subscription) and publishing it again (the trigger creates a new one for the same webhook URL).
// Events of those moments must reach the new subscription, and nothing else may.
import { randomBytes } from 'node:crypto';
import type { TestDatabase } from '../../test/helpers/postgres';
import { createSecretBox, parseEncryptionKeys } from '../src/crypto/secret-box';
import { enqueueDeliveries } from '../src/fanout/outbox';
import { createSubscription, deleteSubscription } from '../src/fanout/repository';
import { migratedDatabase } from './helpers';

let db: TestDatabase;
const box = createSecretBox(parseEncryptionKeys(`h1:${randomBytes(32).toString('base64')}`));
const URL_A = 'http://n8n.example.com/webhook/abc/webhook';

beforeAll(async () => {
	db = await migratedDatabase('handover');
});
afterAll(async () => {
	await db.drop();
});

async function user(tier: 'free' | 'pro' = 'pro'): Promise<string> {
	const { rows } = await db.pool.query<{ id: string }>(
		'INSERT INTO users (email, tier) VALUES ($1, $2) RETURNING id::text',
		[`${randomBytes(6).toString('hex')}@example.com`, tier],
	);
	return rows[0].id;
}

/** Stores an event and fans it out to the subscriptions that exist now. */
async function storeEvent(type: string, payload: Record<string, unknown> = {}): Promise<string> {
	const client = await db.pool.connect();
	try {
		await client.query('BEGIN');
		const { rows } = await client.query<{ id: string }>(
			'INSERT INTO events (type, dedupe_key, occurred_at, payload) VALUES ($1, $2, now(), $3) RETURNING id::text',
			[type, `test:${randomBytes(8).toString('hex')}`, payload],
		);
		await enqueueDeliveries(client, [{ id: rows[0].id, type }]);
		await client.query('COMMIT');
		return rows[0].id;
	} finally {
		client.release();
	}
}

async function remove(userId: string, id: string): Promise<void> {
	const client = await db.pool.connect();
	try {
		await client.query('BEGIN');
		await deleteSubscription(client, userId, id);
		await client.query('COMMIT');
	} finally {
		client.release();
	}
}

async function pendingEventsOf(subscriptionId: string): Promise<string[]> {
	const { rows } = await db.pool.query<{ event_id: string }>(
		`SELECT event_id::text FROM deliveries WHERE subscription_id = $1 AND status = 'pending' ORDER BY event_id`,
		[subscriptionId],
	);
	return rows.map((r) => r.event_id);
}

it('a subscription made again for the same URL gets what the deleted one missed, once', async () => {
	const owner = await user();
	const first = await createSubscription(db.pool, box, owner, { url: URL_A, event_types: ['whatsapp.message'] });
	expect(first.handed_over).toBe(0);
	const beforeDelete = await storeEvent('whatsapp.message'); // pending on the first subscription
	await remove(owner, first.id);
	const inTheGap = await storeEvent('whatsapp.message'); // no subscription exists
	await storeEvent('whatsapp.status'); // a type the trigger did not choose

	const second = await createSubscription(db.pool, box, owner, { url: URL_A, event_types: ['whatsapp.message'] });
	expect(second.handed_over).toBe(2);
	expect(await pendingEventsOf(second.id)).toEqual([beforeDelete, inTheGap].sort());

	// Later events go to the new subscription as usual; nothing is handed over twice.
	const after = await storeEvent('whatsapp.message');
	expect(await pendingEventsOf(second.id)).toEqual([beforeDelete, inTheGap, after].sort());
});

it('hands nothing to another URL, another user, or after the hand-over window', async () => {
	const owner = await user();
	const stranger = await user();
	const old = await createSubscription(db.pool, box, owner, { url: URL_A, event_types: ['*'] });
	await storeEvent('whatsapp.message');
	await remove(owner, old.id);

	const otherUrl = await createSubscription(db.pool, box, owner, {
		url: 'http://n8n.example.com/webhook/other/webhook',
		event_types: ['*'],
	});
	expect(otherUrl.handed_over).toBe(0);
	const otherUser = await createSubscription(db.pool, box, stranger, { url: URL_A, event_types: ['*'] });
	expect(otherUser.handed_over).toBe(0);

	await db.pool.query(`UPDATE subscriptions SET deleted_at = now() - interval '1 hour' WHERE id = $1`, [old.id]);
	const late = await createSubscription(db.pool, box, owner, { url: URL_A, event_types: ['*'] });
	expect(late.handed_over).toBe(0);
});

it('never hands a free user an event meant for pro owners only', async () => {
	const owner = await user('free');
	const old = await createSubscription(db.pool, box, owner, { url: URL_A, event_types: ['library.bundle_ingested'] });
	await remove(owner, old.id);
	await storeEvent('library.bundle_ingested', { visible_to_tier: 'pro', assets: [{ slug: 'premium' }] });
	const freeOnly = await storeEvent('library.bundle_ingested', { visible_to_tier: 'free', assets: [] });
	const again = await createSubscription(db.pool, box, owner, {
		url: URL_A,
		event_types: ['library.bundle_ingested'],
	});
	expect(await pendingEventsOf(again.id)).toEqual([freeOnly]);
});
