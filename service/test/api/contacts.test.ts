// Contacts and consent: E.164 normalisation, upsert, idempotent import, lists, consent history,
// STOP/START from inbound WhatsApp webhooks (through the real gateway), and erasure.
import type { TestDatabase } from '../../../test/helpers/postgres';
import {
	inboundMessages,
	migratedDatabase,
	startApiService,
	statusUpdate,
	userWithKey,
	wamid,
	type ApiService,
} from './helpers';

// Generous: the machine may be busy; nothing here asserts timing.
jest.setTimeout(30_000);

let db: TestDatabase;
let service: ApiService;
let key: string;

beforeAll(async () => {
	db = await migratedDatabase('api_contacts');
	service = await startApiService(db.pool);
	key = (await userWithKey(db.pool, 'free', 'contacts')).key;
});

afterAll(async () => {
	await service.close();
	await db.drop();
});

const contact = async (waId: string) => service.call(key, 'GET', `/api/v1/contacts/${waId}`);

describe('contacts', () => {
	it('upserts by normalized WhatsApp id and rejects invalid numbers with the reason', async () => {
		const created = await service.call(key, 'PUT', `/api/v1/contacts/${encodeURIComponent('+91 98765 43210')}`, {
			name: 'Asha',
			tags: ['diwali', 'vip'],
			consent: 'opted_in',
			consent_note: 'checkout form',
		});
		expect(created.status).toBe(201);
		expect(created.body).toMatchObject({
			wa_id: '919876543210',
			name: 'Asha',
			tags: ['diwali', 'vip'],
			consent: 'opted_in',
			consent_source: 'api',
		});
		const updated = await service.call(key, 'PUT', '/api/v1/contacts/919876543210', { tags: ['diwali'] });
		expect(updated.status).toBe(200);
		expect(updated.body).toMatchObject({ name: 'Asha', tags: ['diwali'], consent: 'opted_in' });

		const invalid = await service.call(key, 'PUT', '/api/v1/contacts/09876543210', { name: 'x' });
		expect(invalid.status).toBe(422);
		expect(invalid.body.error).toMatchObject({ code: 'invalid_wa_id', details: { problem: 'national_format' } });
		expect(invalid.body.error.message).toMatch(/country code/);
	});

	it('bulk import is idempotent, merges tags, reports rejects, and never opts an opted-out contact back in', async () => {
		await service.call(key, 'PUT', '/api/v1/contacts/447700900123', { consent: 'opted_out' });
		const body = {
			contacts: [
				{ wa_id: '+44 7700 900124', name: 'Ben', tags: ['holi'], consent: 'opted_in' },
				{ wa_id: '447700900125', tags: ['holi'] },
				{ wa_id: '447700900123', consent: 'opted_in', tags: ['holi'] },
				{ wa_id: '12', name: 'bad' },
			],
		};
		const first = await service.call(key, 'POST', '/api/v1/contacts', body);
		expect(first.status).toBe(200);
		expect(first.body).toMatchObject({ created: 2, updated: 1, unchanged: 0, kept_opted_out: 1 });
		expect(first.body.rejected).toEqual([{ index: 3, wa_id: '12', problem: 'too_short', message: expect.any(String) }]);
		const again = await service.call(key, 'POST', '/api/v1/contacts', body);
		expect(again.body).toMatchObject({ created: 0, updated: 0, unchanged: 3 });
		expect((await contact('447700900123')).body).toMatchObject({ consent: 'opted_out', tags: ['holi'] });
		const ben = (await contact('447700900124')).body;
		expect(ben.consent_history).toEqual([expect.objectContaining({ consent: 'opted_in', source: 'import' })]);
	});

	it('lists by tag and consent with a cursor', async () => {
		const holiOptedIn = await service.call(key, 'GET', '/api/v1/contacts?tag=holi&consent=opted_in');
		expect(holiOptedIn.body.data.map((c: { wa_id: string }) => c.wa_id)).toEqual(['447700900124']);
		const all: string[] = [];
		let cursor: string | null = null;
		do {
			const page: { body: { data: Array<{ wa_id: string }>; next_cursor: string | null } } = await service.call(
				key,
				'GET',
				`/api/v1/contacts?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
			);
			all.push(...page.body.data.map((c) => c.wa_id));
			cursor = page.body.next_cursor;
		} while (cursor);
		expect(all).toEqual([...all].sort());
		expect(new Set(all).size).toBe(all.length);
		expect(all.length).toBeGreaterThanOrEqual(4);
	});

	it('records explicit consent changes with history', async () => {
		const out = await service.call(key, 'POST', '/api/v1/contacts/447700900125/consent', {
			consent: 'opted_out',
			note: 'phone call',
		});
		expect(out.body).toMatchObject({ consent: 'opted_out', consent_source: 'api' });
		expect((await contact('447700900125')).body.consent_history).toEqual([
			expect.objectContaining({ consent: 'opted_out', source: 'api', note: 'phone call' }),
		]);
		expect(
			(await service.call(key, 'POST', '/api/v1/contacts/447700900125/consent', { consent: 'maybe' })).status,
		).toBe(422);
	});
});

describe('inbound WhatsApp messages (through the signed Meta webhook)', () => {
	it('STOP opts out, START opts in, recorded with the message id; a redelivery changes nothing', async () => {
		const from = '919812345678';
		await service.call(key, 'PUT', `/api/v1/contacts/${from}`, { name: 'Ravi', consent: 'opted_in' });
		const now = Math.floor(Date.now() / 1000);
		const stopId = wamid();
		const stop = inboundMessages([{ from, id: stopId, text: ' Stop ', timestamp: now - 10 }]);
		expect((await service.postMeta(stop)).status).toBe(200);
		let ravi = (await contact(from)).body;
		expect(ravi).toMatchObject({ consent: 'opted_out', consent_source: 'keyword', within_service_window: true });
		expect(new Date(ravi.last_inbound_at).getTime()).toBe((now - 10) * 1000);
		expect(ravi.consent_history.at(-1)).toMatchObject({ consent: 'opted_out', source: 'keyword', message_id: stopId });

		expect((await service.postMeta(stop)).status).toBe(200);
		expect((await contact(from)).body.consent_history).toHaveLength(ravi.consent_history.length);

		const startId = wamid();
		await service.postMeta(inboundMessages([{ from, id: startId, text: 'START', timestamp: now - 5 }]));
		ravi = (await contact(from)).body;
		expect(ravi.consent).toBe('opted_in');
		expect(ravi.consent_history.at(-1)).toMatchObject({ consent: 'opted_in', message_id: startId });

		const events = await db.pool.query(
			`SELECT type, payload FROM events WHERE type LIKE 'contact.%' AND payload->>'wa_id' = $1 ORDER BY id`,
			[from],
		);
		expect(events.rows.map((r) => [r.type, r.payload.message_id])).toEqual([
			['contact.opted_in', null], // the PUT above
			['contact.opted_out', stopId],
			['contact.opted_in', startId],
		]);
	});

	it('a late, older STOP does not override a newer START; ordinary messages only touch last_inbound_at', async () => {
		const from = '919812345679';
		const now = Math.floor(Date.now() / 1000);
		await service.postMeta(inboundMessages([{ from, id: wamid(), text: 'START', timestamp: now - 60 }]));
		await service.postMeta(inboundMessages([{ from, id: wamid(), text: 'STOP', timestamp: now - 120 }]));
		expect((await contact(from)).body.consent).toBe('opted_in');
		await service.postMeta(
			inboundMessages([{ from, id: wamid(), text: 'please stop calling me maybe', timestamp: now }]),
		);
		const c = (await contact(from)).body;
		expect(c.consent).toBe('opted_in');
		expect(new Date(c.last_inbound_at).getTime()).toBe(now * 1000);
		expect(c.name).toBe('Customer');
	});
});

describe('erasure', () => {
	it('leaves no personal data anywhere in the database, only an anonymous consent record', async () => {
		const waId = '919800011122';
		const name = 'Zoya Erasable';
		await service.call(key, 'PUT', `/api/v1/contacts/${waId}`, {
			name,
			tags: ['erase-me'],
			consent: 'opted_in',
			consent_note: 'form at Zoya’s shop',
		});
		const msgId = wamid();
		await service.postMeta(inboundMessages([{ from: waId, id: msgId, text: 'STOP', name }]));
		// Another customer whose number contains the erased digits keeps their data.
		const neighbour = `4${waId}`;
		const neighbourMsg = wamid();
		await service.postMeta(inboundMessages([{ from: neighbour, id: neighbourMsg, text: 'hello', name: 'Neighbour' }]));
		await service.postMeta(statusUpdate([{ wamid: wamid(), status: 'delivered', recipient: waId }]));
		const campaigns = (await userWithKey(db.pool, 'free', 'campaigns')).key;
		await service.call(key, 'PUT', `/api/v1/contacts/${waId}`, { consent: 'opted_in' });
		const campaign = await service.call(campaigns, 'POST', '/api/v1/campaigns', {
			name: 'erase',
			template: { name: 'promo', language: 'en' },
			audience: { tags: ['erase-me'] },
		});
		expect(campaign.body.total).toBe(1);
		const subjectId = (await db.pool.query('SELECT id FROM contacts WHERE wa_id = $1', [waId])).rows[0].id;

		const erased = await service.call(key, 'DELETE', `/api/v1/contacts/${waId}`);
		expect(erased.status).toBe(204);
		expect((await contact(waId)).status).toBe(404);

		// Scan every column of every table in public as text for the number, the name and the message id.
		const tables = await db.pool.query<{ table_name: string }>(
			`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
		);
		for (const { table_name } of tables.rows) {
			// events.dedupe_key keeps Meta's message id (a pseudonymous id, not contact data): without it a
			// redelivery of the erased message by Meta would store it again.
			const row =
				table_name === 'events'
					? `jsonb_build_object('type', t.type, 'payload', t.payload, 'payload_id', t.payload_id)`
					: 't';
			const { rows } = await db.pool.query(
				`SELECT ${row}::text AS row FROM public.${table_name.replace(/[^a-z_]/g, '')} t`,
			);
			const text = rows.map((r) => r.row).join('\n');
			const raw =
				table_name === 'webhook_payloads'
					? (await db.pool.query('SELECT raw_body FROM webhook_payloads')).rows
							.map((r) => r.raw_body.toString('utf8'))
							.join('\n')
					: '';
			// The number as a whole (not as part of a longer number), the name and the message id.
			const number = new RegExp(`(?<![0-9])${waId}(?![0-9])`);
			for (const needle of [number, name, 'Zoya', msgId]) {
				const found =
					typeof needle === 'string'
						? text.includes(needle) || raw.includes(needle)
						: needle.test(text) || needle.test(raw);
				expect({ table: table_name, needle: String(needle), found }).toEqual({
					table: table_name,
					needle: String(needle),
					found: false,
				});
			}
		}
		expect((await contact(neighbour)).body).toMatchObject({ name: 'Neighbour' });
		const kept = await db.pool.query(`SELECT payload FROM events WHERE dedupe_key = $1`, [
			`wa.message:${neighbourMsg}`,
		]);
		expect(kept.rows[0].payload).toMatchObject({ from: neighbour, text: 'hello' });
		const history = await db.pool.query(
			'SELECT consent, source, message_id, note FROM consent_events WHERE subject_id = $1 ORDER BY id',
			[subjectId],
		);
		expect(history.rows.map((r) => r.consent)).toEqual(['opted_in', 'opted_out', 'opted_in', 'erased']);
		expect(history.rows.every((r) => r.message_id === null && r.note === null)).toBe(true);
		const report = await service.call(campaigns, 'GET', `/api/v1/campaigns/${campaign.body.id}`);
		expect(report.body.total).toBe(1);
		expect((await service.call(key, 'DELETE', `/api/v1/contacts/${waId}`)).status).toBe(404);
	});
});
