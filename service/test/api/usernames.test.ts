// WhatsApp usernames and business-scoped user IDs (BSUIDs): people whose phone number Meta withholds
// are contacts like any other — their STOP is honoured, campaigns reach them by BSUID, records of one
// person join, identifier changes keep consent, erasure removes every identifier — and Meta's own
// consent signals (user_preferences, 131050, 131049) apply. Real Postgres, the signed Meta webhook.
import type { TestDatabase } from '../../../test/helpers/postgres';
import { webhooks } from '../../../sandbox';
import { inboundMessages, migratedDatabase, startApiService, userWithKey, wamid, type ApiService } from './helpers';

jest.setTimeout(30_000);

let db: TestDatabase;
let service: ApiService;
let key: string;

beforeAll(async () => {
	db = await migratedDatabase('api_usernames');
	service = await startApiService(db.pool);
	key = (await userWithKey(db.pool, 'pro', 'contacts,campaigns')).key;
});

afterAll(async () => {
	await service.close();
	await db.drop();
});

// The 2026 webhook shapes come from the sandbox's builders: what the sandbox emits is what the service reads.
const inbound = (person: webhooks.WhatsAppPerson, text: string) =>
	JSON.stringify(webhooks.inboundText(person, text, wamid()));
const userPreference = (person: webhooks.WhatsAppPerson, value: 'stop' | 'resume', at = Date.now()) =>
	JSON.stringify(webhooks.userPreferences(person, value, at));

async function post(body: string): Promise<void> {
	expect((await service.postMeta(body)).status).toBe(200);
}
const contact = (id: string) => service.call(key, 'GET', `/api/v1/contacts/${encodeURIComponent(id)}`);
const createCampaign = (tag: string) =>
	service.call(key, 'POST', '/api/v1/campaigns', {
		name: `c-${tag}-${Math.random()}`,
		template: { name: 'diwali_offer', language: 'en' },
		parameters: ['{{name}}'],
		audience: { tags: [tag] },
	});
const claim = (id: string) => service.call(key, 'POST', `/api/v1/campaigns/${id}/claim`, { limit: 50 });

describe('a customer known only by username and BSUID', () => {
	it('writes START, is reached by BSUID in a campaign, writes STOP, and is left out of the next campaign', async () => {
		const person = { user_id: 'IN.1648738043044942', username: 'asha.sweets' };
		await post(inbound(person, 'START'));
		const created = await contact(person.user_id);
		expect(created.status).toBe(200);
		expect(created.body).toMatchObject({
			wa_id: null,
			user_id: person.user_id,
			username: 'asha.sweets',
			consent: 'opted_in',
			consent_source: 'keyword',
		});
		await service.call(key, 'PUT', `/api/v1/contacts/${person.user_id}`, { tags: ['bsuid-flow'] });

		const first = (await createCampaign('bsuid-flow')).body;
		expect(first.total).toBe(1);
		const claimed = await claim(first.id);
		expect(claimed.body.data).toEqual([
			expect.objectContaining({
				wa_id: null,
				user_id: person.user_id,
				username: 'asha.sweets',
				to: null,
				recipient: person.user_id,
			}),
		]);
		// Recorded as a workflow does: whichever identifier it sent to, in wa_id.
		const sent = await service.call(key, 'POST', `/api/v1/campaigns/${first.id}/results`, {
			results: [{ wa_id: person.user_id, wamid: wamid() }],
		});
		expect(sent.body.data).toEqual([{ wa_id: null, user_id: person.user_id, state: 'sent', recorded: true }]);

		await post(inbound(person, 'stop'));
		expect((await contact(person.user_id)).body).toMatchObject({ consent: 'opted_out', consent_source: 'keyword' });
		const optOut = await db.pool.query(
			`SELECT payload FROM events WHERE type = 'contact.opted_out' AND payload->>'user_id' = $1`,
			[person.user_id],
		);
		expect(optOut.rows[0].payload).toMatchObject({
			wa_id: null,
			user_id: person.user_id,
			username: 'asha.sweets',
			source: 'keyword',
		});

		const second = (await createCampaign('bsuid-flow')).body;
		expect(second.total).toBe(0);
		expect(second.skipped.at_snapshot).toEqual({ opted_out: 1 });
		expect((await claim(second.id)).body.data).toEqual([]);
	});

	it('the inbound event forwarded to workflows carries the identifiers', async () => {
		const person = { user_id: 'BR.1502576394655843', username: 'rio.cafe' };
		await post(inbound(person, 'hello'));
		const { rows } = await db.pool.query(
			`SELECT payload FROM events WHERE type = 'whatsapp.message' AND payload->>'user_id' = $1`,
			[person.user_id],
		);
		expect(rows[0].payload).toMatchObject({
			from: null,
			wa_id: null,
			user_id: person.user_id,
			username: 'rio.cafe',
			text: 'hello',
		});
	});
});

describe('one person, one contact', () => {
	it('seen by phone, then by BSUID only, then both: one contact, one consent history; erasure removes both identifiers', async () => {
		const phone = '919812345670';
		const bsuid = 'IN.7301928374650192';
		await post(inboundMessages([{ from: phone, id: wamid(), text: 'START' }])); // as Meta wrote before BSUIDs
		expect((await contact(phone)).body).toMatchObject({ wa_id: phone, user_id: null, consent: 'opted_in' });
		await post(inbound({ user_id: bsuid, username: 'ravi' }, 'STOP'));
		expect((await contact(bsuid)).body).toMatchObject({ wa_id: null, user_id: bsuid, consent: 'opted_out' });
		expect(
			(await db.pool.query('SELECT count(*)::int AS n FROM contacts WHERE wa_id = $1 OR user_id = $2', [phone, bsuid]))
				.rows[0].n,
		).toBe(2);

		await post(inbound({ wa_id: phone, user_id: bsuid, username: 'ravi' }, 'thanks'));
		const rows = await db.pool.query('SELECT id FROM contacts WHERE wa_id = $1 OR user_id = $2', [phone, bsuid]);
		expect(rows.rowCount).toBe(1);
		const byPhone = (await contact(phone)).body;
		const byBsuid = (await contact(bsuid)).body;
		expect(byPhone).toEqual(byBsuid);
		// The opt-out is not lost; both keyword changes are in the one history, and the join says why
		// the phone-number record's state changed.
		expect(byPhone).toMatchObject({ wa_id: phone, user_id: bsuid, username: 'ravi', consent: 'opted_out' });
		expect(byPhone.consent_history.map((h: { consent: string; source: string }) => [h.consent, h.source])).toEqual([
			['opted_in', 'keyword'],
			['opted_out', 'keyword'],
			['opted_out', 'join'],
		]);

		expect((await service.call(key, 'DELETE', `/api/v1/contacts/${bsuid}`)).status).toBe(204);
		expect((await contact(phone)).status).toBe(404);
		expect((await contact(bsuid)).status).toBe(404);
		for (const id of [phone, bsuid]) {
			const quoted = `"${id}"`;
			const traces = await db.pool.query(
				`SELECT (SELECT count(*) FROM contacts WHERE wa_id = $1 OR user_id = $1) + (SELECT count(*) FROM campaign_recipients WHERE wa_id = $1 OR user_id = $1)
				  + (SELECT count(*) FROM events WHERE strpos(payload::text, $2) > 0) + (SELECT count(*) FROM webhook_payloads WHERE position(convert_to($2, 'UTF8') IN raw_body) > 0) AS n`,
				[id, quoted],
			);
			expect(Number(traces.rows[0].n)).toBe(0);
		}
		const subject = await db.pool.query(
			`SELECT consent, source FROM consent_events WHERE subject_id = $1 ORDER BY id`,
			[rows.rows[0].id],
		);
		expect(subject.rows.at(-1)).toEqual({ consent: 'erased', source: 'erasure' });
	});

	it('one webhook from several new people and a known one: one contact each, with name and last inbound time', async () => {
		const [known, asha, bala] = ['919811110001', '919811110002', '919811110003'];
		const t0 = Math.floor(Date.now() / 1000) - 60;
		await post(inboundMessages([{ from: known, id: wamid(), text: 'hello', name: 'Known', timestamp: t0 }]));
		await post(
			inboundMessages([
				{ from: asha, id: wamid(), text: 'price?', name: 'Asha', timestamp: t0 + 1 },
				{ from: bala, id: wamid(), text: 'price?', name: 'Bala', timestamp: t0 + 2 },
				{ from: known, id: wamid(), text: 'again', name: 'Known', timestamp: t0 + 3 },
				{ from: asha, id: wamid(), text: 'and now?', name: 'Asha', timestamp: t0 + 4 },
			]),
		);
		const { rows } = await db.pool.query(
			'SELECT wa_id, name, extract(epoch FROM last_inbound_at)::int AS at FROM contacts WHERE wa_id = ANY ($1) ORDER BY wa_id',
			[[known, asha, bala]],
		);
		expect(rows).toEqual([
			{ wa_id: known, name: 'Known', at: t0 + 3 },
			{ wa_id: asha, name: 'Asha', at: t0 + 4 },
			{ wa_id: bala, name: 'Bala', at: t0 + 2 },
		]);
	});

	it('one webhook from several known people: each contact completed and moved forward, two records of one person joined', async () => {
		const t0 = Date.now() - 120_000;
		const earlier = (person: webhooks.WhatsAppPerson, text: string) =>
			post(JSON.stringify(webhooks.inboundText(person, text, wamid(), t0)));
		// Known before: a phone-only contact, a contact with both identifiers, one person as two
		// records (phone number, BSUID), and a username user.
		await post(
			inboundMessages([
				{ from: '919811120001', id: wamid(), text: 'hi', name: 'Chitra', timestamp: Math.floor(t0 / 1000) },
			]),
		);
		const both = { wa_id: '919811120002', user_id: 'IN.2000000000000002', name: 'Dev' };
		await earlier(both, 'hi');
		await post(inboundMessages([{ from: '919811120003', id: wamid(), text: 'hi', timestamp: Math.floor(t0 / 1000) }]));
		await earlier({ user_id: 'IN.2000000000000003' }, 'STOP');
		await earlier({ user_id: 'IN.2000000000000004', username: 'old.name' }, 'hi');

		// One webhook: the phone-only person now with a BSUID, the other with a new BSUID (a phone
		// number moved to a new BSUID), the split person with both identifiers, the username user
		// with a new username, and someone new.
		const at = new Date(t0 + 60_000);
		const bodies = [
			webhooks.inboundText({ wa_id: '919811120001', user_id: 'IN.2000000000000001' }, 'price?', wamid(), at),
			webhooks.inboundText({ ...both, user_id: 'IN.2000000000000012' }, 'price?', wamid(), at),
			webhooks.inboundText({ wa_id: '919811120003', user_id: 'IN.2000000000000003' }, 'price?', wamid(), at),
			webhooks.inboundText({ user_id: 'IN.2000000000000004', username: 'new.name' }, 'price?', wamid(), at),
			webhooks.inboundText({ wa_id: '919811120005', user_id: 'IN.2000000000000005' }, 'price?', wamid(), at),
		];
		const value = (body: Record<string, unknown>) =>
			(body as { entry: Array<{ changes: Array<{ value: Record<string, unknown[]> }> }> }).entry[0].changes[0].value;
		const merged = bodies[0];
		for (const body of bodies.slice(1))
			for (const part of ['contacts', 'messages'])
				value(merged)[part] = [...(value(merged)[part] ?? []), ...(value(body)[part] ?? [])];
		await post(JSON.stringify(merged));

		const { rows } = await db.pool.query(
			`SELECT wa_id, user_id, former_user_ids, username, name, consent, extract(epoch FROM last_inbound_at)::bigint AS at
			 FROM contacts WHERE wa_id LIKE '91981112000_' OR user_id LIKE 'IN.20000000000000__' ORDER BY wa_id NULLS LAST, user_id`,
		);
		const row = (wa_id: string | null, user_id: string, more: Record<string, unknown> = {}) => ({
			wa_id,
			user_id,
			former_user_ids: [],
			username: null,
			name: 'Customer',
			consent: 'unknown',
			at: String(Math.floor(at.getTime() / 1000)),
			...more,
		});
		expect(rows).toEqual([
			row('919811120001', 'IN.2000000000000001', { name: 'Chitra' }),
			row('919811120002', 'IN.2000000000000012', { former_user_ids: ['IN.2000000000000002'], name: 'Dev' }),
			row('919811120003', 'IN.2000000000000003', { consent: 'opted_out' }),
			row('919811120005', 'IN.2000000000000005'),
			row(null, 'IN.2000000000000004', { username: 'new.name' }),
		]);
	});

	it('a campaign that snapshotted the phone-number record and the BSUID record of one person messages them once', async () => {
		const phone = '919812345671';
		const bsuid = 'IN.7301928374650193';
		await service.call(key, 'PUT', `/api/v1/contacts/${phone}`, { tags: ['twice'], consent: 'opted_in' });
		await service.call(key, 'PUT', `/api/v1/contacts/${bsuid}`, { tags: ['twice'], consent: 'opted_in' });
		const campaign = (await createCampaign('twice')).body;
		expect(campaign.total).toBe(2);
		await post(inbound({ wa_id: phone, user_id: bsuid }, 'hello'));
		const claimed = await claim(campaign.id);
		expect(claimed.body.data).toEqual([
			expect.objectContaining({ wa_id: phone, user_id: bsuid, to: phone, recipient: null }),
		]);
		expect((await service.call(key, 'GET', `/api/v1/campaigns/${campaign.id}`)).body.skipped.at_claim).toEqual({
			same_person: 1,
		});
	});

	it('a phone-number change (new BSUID) keeps the consent the person gave', async () => {
		const before = { wa_id: '447700900301', user_id: 'GB.5550001112223334' };
		await post(inbound(before, 'START'));
		await post(
			JSON.stringify(
				webhooks.identifierChanged(before, { type: 'user_changed_number', new_wa_id: '447700900302' }, wamid()),
			),
		);
		await post(JSON.stringify(webhooks.userIdUpdate(before.user_id, 'GB.5550001112229999', '447700900302')));
		const after = await contact('GB.5550001112229999');
		expect(after.body).toMatchObject({
			wa_id: '447700900302',
			user_id: 'GB.5550001112229999',
			consent: 'opted_in',
			consent_source: 'keyword',
		});
		expect((await contact(before.wa_id)).status).toBe(404);
		// A late webhook with the old BSUID still finds the person.
		expect((await contact(before.user_id)).body.user_id).toBe('GB.5550001112229999');
		await post(inbound({ user_id: before.user_id }, 'STOP'));
		expect((await contact('447700900302')).body.consent).toBe('opted_out');
		expect(
			(
				await db.pool.query(
					'SELECT count(*)::int AS n FROM contacts WHERE $1 = ANY (former_user_ids) OR user_id = $1',
					[before.user_id],
				)
			).rows[0].n,
		).toBe(1);
	});
});

describe("Meta's consent signals", () => {
	it('user_preferences stop between the snapshot and the claim: not messaged; a resume opts nobody in', async () => {
		const person = { user_id: 'IN.9988776655443322' };
		await post(inbound(person, 'START'));
		await service.call(key, 'PUT', `/api/v1/contacts/${person.user_id}`, { tags: ['prefs'] });
		const campaign = (await createCampaign('prefs')).body;
		expect(campaign.total).toBe(1);
		await post(userPreference(person, 'stop'));
		const claimed = await claim(campaign.id);
		expect(claimed.body).toMatchObject({ data: [], skipped: 1 });
		expect((await contact(person.user_id)).body).toMatchObject({
			consent: 'opted_out',
			consent_source: 'meta_preferences',
		});

		await post(userPreference(person, 'resume', Date.now() + 1000));
		const after = (await contact(person.user_id)).body;
		expect(after.consent).toBe('opted_out');
		expect(after.consent_history.at(-1)).toMatchObject({
			consent: 'opted_out',
			source: 'meta_preferences',
			note: expect.stringContaining('Resumed'),
		});
	});

	it('a stop from someone never seen creates the contact opted out; an import cannot opt them in', async () => {
		await post(userPreference({ wa_id: '919700000001', user_id: 'IN.1212121212121212' }, 'stop'));
		const imported = await service.call(key, 'POST', '/api/v1/contacts', {
			contacts: [{ wa_id: '919700000001', consent: 'opted_in' }],
		});
		expect(imported.body).toMatchObject({ kept_opted_out: 1 });
		expect((await contact('IN.1212121212121212')).body).toMatchObject({ wa_id: '919700000001', consent: 'opted_out' });
	});

	it('a failed status with 131050 opts the person out; 131049 holds the recipient without opting out', async () => {
		const a = { user_id: 'IN.4040404040404040' };
		const b = { wa_id: '919700000002', user_id: 'IN.5050505050505050' };
		for (const p of [a, b]) {
			await post(inbound(p, 'START'));
			await service.call(key, 'PUT', `/api/v1/contacts/${p.user_id}`, { tags: ['errs'] });
		}
		const campaign = (await createCampaign('errs')).body;
		const claimed = (await claim(campaign.id)).body.data;
		expect(claimed.map((r: { to: string | null; recipient: string | null }) => [r.to, r.recipient])).toEqual([
			[b.wa_id, null],
			[null, a.user_id],
		]);
		const [idA, idB] = [wamid(), wamid()];
		await service.call(key, 'POST', `/api/v1/campaigns/${campaign.id}/results`, {
			results: [
				{ user_id: a.user_id, wamid: idA },
				{ wa_id: b.wa_id, wamid: idB },
			],
		});
		await post(
			JSON.stringify(webhooks.statusOf(a, idA, 'failed', { code: 131050, title: 'User stopped marketing messages' })),
		);
		await post(
			JSON.stringify(
				webhooks.statusOf({ wa_id: b.wa_id, user_id: 'IN.5050505050505050' }, idB, 'failed', {
					code: 131049,
					title: 'Held back for now',
				}),
			),
		);
		expect((await contact(a.user_id)).body).toMatchObject({ consent: 'opted_out', consent_source: 'meta_error' });
		expect((await contact(b.wa_id)).body).toMatchObject({ consent: 'opted_in' });
		const report = (await service.call(key, 'GET', `/api/v1/campaigns/${campaign.id}`)).body;
		expect(report.counts).toMatchObject({ failed: 1, held_by_meta: 1 });
	});
});
