// The people of a simple batch of inbound messages, written by the event store's insert statement
// (src/consent/people-fold.ts, tp_record_inbound_senders) against real Postgres: what it writes, when it hands the batch back
// (TPF01, nothing written), and the event store writing a handed-back batch again in a transaction.
import type { PoolClient } from 'pg';
import type { NormalizedEvent } from '../src/core/meta-events';
import { peopleFoldWork, simpleSenders } from '../src/consent/people-fold';
import { applyPeopleSignals } from '../src/consent/signals';
import {
	EventStore,
	FOLD_FALLBACK_CODE,
	insertPayloadsAndEvents,
	type EventHook,
	type StoredEvent,
} from '../src/db/events';
import { sql } from '../src/db/sql';
import type { TestDatabase } from '../../test/helpers/postgres';
import { count, migratedDatabase } from './helpers';

const KEYWORDS = { optOut: ['STOP'], optIn: ['START'] };
let sequence = 0;

function message(ids: Record<string, string | null>, at: string, text = 'hello'): NormalizedEvent {
	const key = `wa.message:wamid.fold.${++sequence}`;
	return {
		type: 'whatsapp.message',
		dedupeKey: key,
		occurredAt: new Date(at),
		payload: { wa_id: null, user_id: null, parent_user_id: null, username: null, ...ids, message_type: 'text', text },
	};
}

let db: TestDatabase;
beforeAll(async () => {
	db = await migratedDatabase('peoplefold');
});
afterAll(async () => {
	await db.drop();
});

interface Contact {
	wa_id: string | null;
	user_id: string | null;
	parent_user_id: string | null;
	username: string | null;
	name: string | null;
	last_inbound_at: Date | null;
}

describe('people of a simple batch, in the insert statement', () => {
	/** Stores `events` as one payload with the people folded in; rejects with the statement's error. */
	async function fold(events: NormalizedEvent[]): Promise<StoredEvent[]> {
		const senders = simpleSenders(events, KEYWORDS);
		if (!senders) throw new Error('not a simple batch');
		const rawBody = Buffer.from(JSON.stringify(events.map((e) => e.dedupeKey)));
		return insertPayloadsAndEvents(db.pool, [{ source: 'meta', rawBody, events }], {
			prepared: true,
			fold: peopleFoldWork(senders),
		});
	}

	const contact = async (where: string, value: string): Promise<Contact | undefined> =>
		(
			await db.pool.query<Contact>(
				`SELECT wa_id, user_id, parent_user_id, username, name, last_inbound_at FROM contacts WHERE ${where} = $1`,
				[value],
			)
		).rows[0];

	it('makes each new person a contact with their identifiers, name and message time', async () => {
		const stored = await fold([
			message({ wa_id: '919800000101', profile_name: 'Asha' }, '2026-12-01T10:00:00Z'),
			message({ user_id: 'IN.fold102', username: 'ravi.k', parent_user_id: 'IN.ENT.parent1' }, '2026-12-01T10:00:01Z'),
		]);
		expect(stored).toHaveLength(2);
		expect(await contact('wa_id', '919800000101')).toEqual({
			wa_id: '919800000101',
			user_id: null,
			parent_user_id: null,
			username: null,
			name: 'Asha',
			last_inbound_at: new Date('2026-12-01T10:00:00Z'),
		});
		expect(await contact('user_id', 'IN.fold102')).toMatchObject({
			wa_id: null,
			username: 'ravi.k',
			parent_user_id: 'IN.ENT.parent1',
			last_inbound_at: new Date('2026-12-01T10:00:01Z'),
		});
	});

	it('moves a known person forward, never back, and a redelivered message changes nothing', async () => {
		const first = message({ wa_id: '919800000111', profile_name: 'Meera' }, '2026-12-01T11:00:00Z');
		await fold([first]);
		await fold([message({ wa_id: '919800000111', profile_name: 'Meera M' }, '2026-12-01T12:00:00Z')]);
		expect(await contact('wa_id', '919800000111')).toMatchObject({
			name: 'Meera',
			last_inbound_at: new Date('2026-12-01T12:00:00Z'),
		});
		await fold([message({ wa_id: '919800000111' }, '2026-12-01T09:00:00Z')]);
		expect((await contact('wa_id', '919800000111'))?.last_inbound_at).toEqual(new Date('2026-12-01T12:00:00Z'));
		// A contact known by a former BSUID is the same person.
		await db.pool.query(
			`INSERT INTO contacts (wa_id, user_id, former_user_ids) VALUES ('919800000112', 'IN.now112', '{IN.old112}')`,
		);
		await fold([message({ user_id: 'IN.old112' }, '2026-12-01T12:30:00Z')]);
		expect((await contact('wa_id', '919800000112'))?.last_inbound_at).toEqual(new Date('2026-12-01T12:30:00Z'));
		expect(await count(db.pool, "SELECT 1 FROM contacts WHERE user_id = 'IN.old112'")).toBe(0);
		// Stored again (a redelivery): the statement stores no event and writes no contact.
		await db.pool.query("UPDATE contacts SET last_inbound_at = NULL WHERE wa_id = '919800000111'");
		expect(await fold([{ ...first, occurredAt: new Date('2026-12-01T13:00:00Z') }])).toEqual([]);
		expect((await contact('wa_id', '919800000111'))?.last_inbound_at).toBeNull();
	});

	it.each([
		[
			'a known contact lacks the BSUID the message shows',
			`INSERT INTO contacts (wa_id) VALUES ('919800000121')`,
			{ wa_id: '919800000121', user_id: 'IN.fold121' },
		],
		[
			'the phone number and the BSUID are two records',
			`INSERT INTO contacts (wa_id) VALUES ('919800000122'); INSERT INTO contacts (user_id) VALUES ('IN.fold122')`,
			{ wa_id: '919800000122', user_id: 'IN.fold122' },
		],
		[
			'a known contact has no name yet',
			`INSERT INTO contacts (wa_id) VALUES ('919800000123')`,
			{ wa_id: '919800000123', profile_name: 'Kiran' },
		],
		[
			'a new username',
			`INSERT INTO contacts (user_id, username) VALUES ('IN.fold124', 'old.name')`,
			{ user_id: 'IN.fold124', username: 'new.name' },
		],
	])('hands the batch back, nothing written, when %s', async (_case, setup, ids) => {
		await db.pool.query(setup);
		const before = await count(db.pool, 'SELECT 1 FROM contacts');
		const events = [message(ids, '2026-12-01T14:00:00Z'), message({ wa_id: '919800000129' }, '2026-12-01T14:00:01Z')];
		await expect(fold(events)).rejects.toMatchObject({ code: FOLD_FALLBACK_CODE });
		expect(await count(db.pool, 'SELECT 1 FROM contacts')).toBe(before);
		expect(
			await count(db.pool, 'SELECT 1 FROM events WHERE dedupe_key = ANY ($1::text[])', [
				events.map((e) => e.dedupeKey),
			]),
		).toBe(0);
	});
});

describe('the statement and the transaction path agree', () => {
	// A small pool of identifiers, so that senders and contacts meet often and in every way.
	const PHONES = ['919800000401', '919800000402', '919800000403', '919800000404'];
	const BSUIDS = ['IN.fold401', 'IN.fold402', 'IN.fold403', 'IN.fold404'];
	const PARENTS = ['IN.ENT.p1', 'IN.ENT.p2'];
	const NAMES = ['Asha', 'Ravi'];
	const USERNAMES = ['asha.k', 'ravi.k'];

	function random(seed: number): () => number {
		let state = seed;
		return () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
	}

	/** Contacts to start from and one batch of messages, from `seed`. */
	function scenario(seed: number) {
		const next = random(seed);
		const pick = <T>(values: readonly T[], chance = 0.5): T | null =>
			next() < chance ? values[Math.floor(next() * values.length)] : null;
		const contacts: Array<Record<string, unknown>> = [];
		const usedPhones = new Set<string>();
		const usedBsuids = new Set<string>();
		for (let i = 0; i < 3; i++) {
			let wa_id = pick(PHONES, 0.6);
			let user_id = pick(BSUIDS, 0.5);
			if (wa_id && usedPhones.has(wa_id)) wa_id = null;
			if (user_id && usedBsuids.has(user_id)) user_id = null;
			if (!wa_id && !user_id) continue;
			if (wa_id) usedPhones.add(wa_id);
			if (user_id) usedBsuids.add(user_id);
			const former = pick(BSUIDS, 0.2);
			contacts.push({
				wa_id,
				user_id,
				former_user_ids: former && former !== user_id && !usedBsuids.has(former) ? [former] : [],
				parent_user_id: pick(PARENTS, 0.3),
				username: pick(USERNAMES, 0.3),
				name: pick(NAMES, 0.5),
				last_inbound_at: next() < 0.5 ? new Date(Date.UTC(2026, 11, 1, Math.floor(next() * 24))) : null,
			});
		}
		const events: NormalizedEvent[] = [];
		for (let i = 0; i < 3; i++) {
			const ids = {
				wa_id: pick(PHONES, 0.7),
				user_id: pick(BSUIDS, 0.5),
				parent_user_id: pick(PARENTS, 0.2),
				username: pick(USERNAMES, 0.3),
				profile_name: pick(NAMES, 0.6),
			};
			events.push(message(ids, new Date(Date.UTC(2026, 11, 1, Math.floor(next() * 24))).toISOString()));
		}
		return { contacts, events };
	}

	const snapshot = async (client: PoolClient) =>
		(
			await client.query(
				`SELECT wa_id, user_id, former_user_ids, parent_user_id, username, name, last_inbound_at, consent, tags
				 FROM contacts WHERE wa_id = ANY ($1::text[]) OR user_id = ANY ($2::text[]) OR former_user_ids && $2::text[]
				 ORDER BY coalesce(wa_id, user_id)`,
				[PHONES, BSUIDS],
			)
		).rows;

	it('writes the same contacts in 300 random batches whenever it does not hand the batch back', async () => {
		const client = await db.pool.connect();
		let taken = 0;
		let handedBack = 0;
		try {
			for (let seed = 1; seed <= 300; seed++) {
				const { contacts, events } = scenario(seed);
				const senders = simpleSenders(events, KEYWORDS);
				if (!senders) continue;
				const results: unknown[] = [];
				for (const path of ['transaction', 'statement'] as const) {
					await client.query('BEGIN');
					try {
						await client.query(
							`INSERT INTO contacts (wa_id, user_id, former_user_ids, parent_user_id, username, name, last_inbound_at)
							 SELECT * FROM jsonb_to_recordset($1::jsonb) AS c(wa_id text, user_id text, former_user_ids text[],
							   parent_user_id text, username text, name text, last_inbound_at timestamptz)`,
							[JSON.stringify(contacts)],
						);
						if (path === 'transaction') {
							const stored = events.map((e, index) => ({
								id: String(index + 1),
								type: e.type,
								dedupe_key: e.dedupeKey,
								occurred_at: e.occurredAt,
								received_at: new Date(),
								payload: e.payload,
							}));
							await applyPeopleSignals(client, stored, KEYWORDS);
						} else {
							await client.query('SAVEPOINT fold');
							try {
								await client.query('SELECT tp_record_inbound_senders($1::jsonb)', [JSON.stringify(senders)]);
							} catch (error) {
								expect((error as { code?: string }).code).toBe(FOLD_FALLBACK_CODE);
								await client.query('ROLLBACK TO SAVEPOINT fold');
								handedBack++;
								results.push(undefined);
								continue;
							}
							taken++;
						}
						results.push(await snapshot(client));
					} finally {
						await client.query('ROLLBACK');
					}
				}
				if (results[1] !== undefined) expect({ seed, contacts: results[1] }).toEqual({ seed, contacts: results[0] });
			}
		} finally {
			client.release();
		}
		// Both ways were taken often enough for the comparison to mean something.
		expect(taken).toBeGreaterThan(40);
		expect(handedBack).toBeGreaterThan(40);
	});
});

describe('which batches are simple', () => {
	const plain = (wa_id: string, extra: Record<string, unknown> = {}) =>
		({ ...message({ wa_id }, '2026-12-01T10:00:00Z'), ...extra }) as NormalizedEvent;

	it('takes the senders of ordinary messages and leaves other events aside', () => {
		const status: NormalizedEvent = {
			type: 'whatsapp.status',
			dedupeKey: 'wa.status:x:delivered',
			occurredAt: new Date(),
			payload: { status: 'delivered' },
		};
		const senders = simpleSenders([plain('919800000201'), status, plain('919800000202')], KEYWORDS);
		expect(senders?.map((s) => s.wa_id)).toEqual(['919800000201', '919800000202']);
	});

	it.each([
		[
			'a STOP keyword',
			[plain('919800000211', { payload: { wa_id: '919800000211', message_type: 'text', text: ' stop! ' } })],
		],
		[
			'a START keyword',
			[plain('919800000212', { payload: { wa_id: '919800000212', message_type: 'text', text: 'START' } })],
		],
		['a system message', [plain('919800000213', { payload: { wa_id: '919800000213', message_type: 'system' } })]],
		['two messages of one person', [plain('919800000214'), plain('919800000214')]],
		[
			'one phone number with two BSUIDs',
			[
				plain('x', { payload: { wa_id: '919800000215', user_id: 'IN.a215' } }),
				plain('y', { payload: { wa_id: '919800000215', user_id: 'IN.b215' } }),
			],
		],
		[
			'a user_preferences webhook',
			[{ type: 'whatsapp.user_preference', dedupeKey: 'p', occurredAt: new Date(), payload: {} }],
		],
		[
			'an identifier change',
			[{ type: 'whatsapp.user_id_update', dedupeKey: 'u', occurredAt: new Date(), payload: {} }],
		],
		[
			'a 131050 failure',
			[
				{
					type: 'whatsapp.status',
					dedupeKey: 's',
					occurredAt: new Date(),
					payload: { status: 'failed', errors: [{ code: 131050 }] },
				},
			],
		],
		['no sender at all', [plain('', { payload: { message_type: 'text', text: 'hi' } })]],
	])('goes to the transaction with %s', (_case, events) => {
		expect(simpleSenders(events as NormalizedEvent[], KEYWORDS)).toBeUndefined();
	});
});

describe('a batch handed back by a folded work', () => {
	beforeAll(async () => {
		await db.pool.query(
			`CREATE FUNCTION test_hand_back() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'handed back' USING ERRCODE = 'TPF01'; END $$`,
		);
	});

	it('is written again with that hook in the transaction, once', async () => {
		const calls: Array<{ keys: string[]; visibleInside: number }> = [];
		let folds = 0;
		const hook: EventHook = Object.assign(
			async (tx: PoolClient, events: StoredEvent[]) => {
				const { rows } = await tx.query<{ n: number }>(
					'SELECT count(*)::int AS n FROM events WHERE id = ANY ($1::bigint[])',
					[events.map((e) => e.id)],
				);
				calls.push({ keys: events.map((e) => e.dedupe_key), visibleInside: rows[0].n });
			},
			{
				fold: () => {
					folds++;
					return { ctes: [], result: sql`test_hand_back()`, fallible: true, done: () => undefined };
				},
			},
		);
		const store = new EventStore(db.pool, { hooks: [hook] });
		const event = message({ wa_id: '919800000301' }, '2026-12-01T15:00:00Z');
		const result = await store.store({ source: 'meta', rawBody: Buffer.from('handed back'), events: [event] });
		expect(result.stored.map((e) => e.dedupe_key)).toEqual([event.dedupeKey]);
		expect(folds).toBe(1);
		expect(calls).toEqual([{ keys: [event.dedupeKey], visibleInside: 1 }]);
		expect(await count(db.pool, 'SELECT 1 FROM events WHERE dedupe_key = $1', [event.dedupeKey])).toBe(1);
	});
});
