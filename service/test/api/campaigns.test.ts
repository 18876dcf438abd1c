// The campaign ledger: snapshot of opted-in contacts, atomic claims across concurrent workers, STOP
// between snapshot and claim, results, status webhooks, stale claims → unknown, report.
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

const number = (i: number) => `4479${String(i).padStart(8, '0')}`;

beforeAll(async () => {
	db = await migratedDatabase('api_campaigns');
	service = await startApiService(db.pool, { CAMPAIGN_CLAIM_TIMEOUT: '1s' });
	key = (await userWithKey(db.pool, 'free', 'contacts,campaigns')).key;
});

afterAll(async () => {
	await service.close();
	await db.drop();
});

async function audience(tag: string, optedIn: number, optedOut = 0, unknown = 0, offset = 0): Promise<string[]> {
	const contacts = [];
	let i = offset;
	for (let n = 0; n < optedIn; n++)
		contacts.push({ wa_id: number(i++), name: `In ${n}`, tags: [tag], consent: 'opted_in' });
	for (let n = 0; n < optedOut; n++) contacts.push({ wa_id: number(i++), tags: [tag], consent: 'opted_out' });
	for (let n = 0; n < unknown; n++) contacts.push({ wa_id: number(i++), tags: [tag] });
	const result = await service.call(key, 'POST', '/api/v1/contacts', { contacts });
	expect(result.status).toBe(200);
	return contacts.filter((c) => c.consent === 'opted_in').map((c) => c.wa_id);
}

const create = (tag: string, extra: Record<string, unknown> = {}) =>
	service.call(key, 'POST', '/api/v1/campaigns', {
		name: `Campaign ${tag}`,
		template: { name: 'diwali_offer', language: 'en' },
		parameters: ['{{name}}', 'DIWALI20'],
		audience: { tags: [tag] },
		...extra,
	});
const claim = (id: string, body: Record<string, unknown> = {}) =>
	service.call(key, 'POST', `/api/v1/campaigns/${id}/claim`, body);
const report = async (id: string) => (await service.call(key, 'GET', `/api/v1/campaigns/${id}`)).body;

describe('campaigns', () => {
	it('snapshots only opted-in contacts and counts the rest as skipped with a reason', async () => {
		const optedIn = await audience('snap', 3, 2, 1, 0);
		const created = await create('snap');
		expect(created.status).toBe(201);
		expect(created.body).toMatchObject({
			total: 3,
			counts: { pending: 3 },
			skipped: { at_snapshot: { opted_out: 2, consent_unknown: 1 } },
			status: 'running',
		});
		const rows = await db.pool.query('SELECT wa_id FROM campaign_recipients WHERE campaign_id = $1 ORDER BY wa_id', [
			created.body.id,
		]);
		expect(rows.rows.map((r) => r.wa_id)).toEqual(optedIn);
		// Opting in later does not join a snapshotted campaign.
		await service.call(key, 'POST', `/api/v1/contacts/${number(3)}/consent`, { consent: 'opted_in' });
		expect((await report(created.body.id)).total).toBe(3);
		const claimed = await claim(created.body.id, { limit: 10 });
		expect(claimed.body.data.map((r: { wa_id: string }) => r.wa_id)).toEqual(optedIn);
		expect(claimed.body.data[0]).toMatchObject({
			name: 'In 0',
			parameters: ['In 0', 'DIWALI20'],
			template: { name: 'diwali_offer', language: 'en' },
		});
	});

	it('the same idempotency_key returns the same campaign', async () => {
		await audience('idem', 2, 0, 0, 100);
		const first = await create('idem', { idempotency_key: 'form-123' });
		const second = await create('idem', { idempotency_key: 'form-123' });
		expect(first.status).toBe(201);
		expect(second.status).toBe(200);
		expect(second.body.id).toBe(first.body.id);
	});

	it('concurrent claims by two clients never overlap', async () => {
		const optedIn = await audience('race', 300, 0, 0, 1000);
		const campaign = (await create('race')).body;
		const claimedBy: Record<string, string[]> = { a: [], b: [] };
		const worker = async (name: 'a' | 'b') => {
			for (;;) {
				const page = await claim(campaign.id, { limit: 7 });
				expect(page.status).toBe(200);
				if (page.body.data.length === 0) return;
				claimedBy[name].push(...page.body.data.map((r: { wa_id: string }) => r.wa_id));
			}
		};
		await Promise.all([worker('a'), worker('b'), worker('a'), worker('b')]);
		const all = [...claimedBy.a, ...claimedBy.b];
		expect(all).toHaveLength(300);
		expect(new Set(all).size).toBe(300);
		expect(new Set(all)).toEqual(new Set(optedIn));
		expect(claimedBy.a.length).toBeGreaterThan(0);
		expect(claimedBy.b.length).toBeGreaterThan(0);
		expect((await report(campaign.id)).counts).toMatchObject({ claimed: 300, pending: 0 });
	});

	it('a STOP message between snapshot and claim prevents the send', async () => {
		const optedIn = await audience('stop', 3, 0, 0, 2000);
		const campaign = (await create('stop')).body;
		expect(campaign.total).toBe(3);
		expect((await service.postMeta(inboundMessages([{ from: optedIn[1], id: wamid(), text: 'STOP' }]))).status).toBe(
			200,
		);
		const claimed = await claim(campaign.id, { limit: 10 });
		expect(claimed.body.data.map((r: { wa_id: string }) => r.wa_id)).toEqual([optedIn[0], optedIn[2]]);
		expect(claimed.body.skipped).toBe(1);
		const r = await report(campaign.id);
		expect(r.counts).toMatchObject({ claimed: 2, skipped: 1 });
		expect(r.skipped.at_claim).toEqual({ opted_out_after_snapshot: 1 });
	});

	it('records results, follows status webhooks, and a re-run never resends to claimed or sent recipients', async () => {
		const optedIn = await audience('flow', 4, 0, 0, 3000);
		const campaign = (await create('flow')).body;
		const claimed = (await claim(campaign.id, { limit: 4 })).body.data.map((r: { wa_id: string }) => r.wa_id);
		expect(claimed).toEqual(optedIn);
		const ids = optedIn.map(() => wamid());
		const results = await service.call(key, 'POST', `/api/v1/campaigns/${campaign.id}/results`, {
			results: [
				{ wa_id: optedIn[0], wamid: ids[0] },
				{ wa_id: optedIn[1], wamid: ids[1] },
				{ wa_id: optedIn[2], wamid: ids[2] },
				{
					wa_id: optedIn[3],
					error: {
						code: 131026,
						title: 'Message undeliverable',
						details: 'Receiver is incapable of receiving this message',
						fbtrace_id: 'AbCdEf',
					},
				},
			],
		});
		expect(results.status).toBe(200);
		expect(results.body.data.map((r: { state: string }) => r.state)).toEqual(['sent', 'sent', 'sent', 'failed']);
		// The same result again: nothing changes.
		const again = await service.call(key, 'POST', `/api/v1/campaigns/${campaign.id}/results`, {
			results: [{ wa_id: optedIn[0], wamid: ids[0] }],
		});
		expect(again.body.data[0]).toMatchObject({ recorded: false, reason: 'already_recorded', state: 'sent' });
		const outsider = await service.call(key, 'POST', `/api/v1/campaigns/${campaign.id}/results`, {
			results: [{ wa_id: '447000000001', wamid: wamid() }],
		});
		expect(outsider.body.data[0]).toMatchObject({ recorded: false, reason: 'not_in_campaign' });

		await service.postMeta(
			statusUpdate([
				{ wamid: ids[0], status: 'delivered', recipient: optedIn[0] },
				{ wamid: ids[0], status: 'read', recipient: optedIn[0] },
				{ wamid: ids[1], status: 'delivered', recipient: optedIn[1] },
				{
					wamid: ids[2],
					status: 'failed',
					recipient: optedIn[2],
					error: { code: 131049, title: 'Meta chose not to deliver', details: 'healthy ecosystem engagement' },
				},
			]),
		);
		// A late "delivered" after "read" does not move it back.
		await service.postMeta(
			statusUpdate([
				{ wamid: ids[0], status: 'delivered', recipient: optedIn[0], timestamp: Math.floor(Date.now() / 1000) + 1 },
			]),
		);
		const r = await report(campaign.id);
		// 131049: Meta held the marketing message back for now — its own state, not a failure to retry.
		expect(r.counts).toMatchObject({
			read: 1,
			delivered: 1,
			failed: 1,
			held_by_meta: 1,
			sent: 0,
			claimed: 0,
			pending: 0,
		});
		expect(r.status).toBe('completed');
		expect(r.failures).toEqual(
			expect.arrayContaining([
				{ code: 131026, title: 'Message undeliverable', count: 1 },
				{ code: 131049, title: 'Meta chose not to deliver', count: 1 },
			]),
		);
		expect(r.timings.first_sent_at).not.toBeNull();
		// Re-running the campaign: nothing to claim, even when asking for unknown ones.
		expect((await claim(campaign.id, { limit: 10, resend_unknown: true })).body.data).toEqual([]);
	});

	it('applies a status that arrived before the result', async () => {
		const [waId] = await audience('early', 1, 0, 0, 4000);
		const campaign = (await create('early')).body;
		await claim(campaign.id);
		const id = wamid();
		await service.postMeta(statusUpdate([{ wamid: id, status: 'delivered', recipient: waId }]));
		const recorded = await service.call(key, 'POST', `/api/v1/campaigns/${campaign.id}/results`, {
			results: [{ wa_id: waId, wamid: id }],
		});
		expect(recorded.body.data[0]).toMatchObject({ recorded: true, state: 'delivered' });
	});

	it('stale claims become unknown, are never resent by default, and only on explicit request', async () => {
		const optedIn = await audience('stale', 2, 0, 0, 5000);
		const campaign = (await create('stale')).body;
		expect((await claim(campaign.id, { limit: 2 })).body.data).toHaveLength(2);
		// Age the claims past CAMPAIGN_CLAIM_TIMEOUT (1 s here) without sleeping.
		await db.pool.query(
			`UPDATE campaign_recipients SET claimed_at = now() - interval '1 hour' WHERE campaign_id = $1`,
			[campaign.id],
		);
		const r = await report(campaign.id);
		expect(r.counts).toMatchObject({ unknown: 2, claimed: 0 });
		const rerun = await claim(campaign.id, { limit: 10 });
		expect(rerun.body.data).toEqual([]);
		expect(rerun.body.remaining).toEqual({ pending: 0, unknown: 2 });
		// A late result for an expired claim is still the truth.
		const late = await service.call(key, 'POST', `/api/v1/campaigns/${campaign.id}/results`, {
			results: [{ wa_id: optedIn[0], wamid: wamid() }],
		});
		expect(late.body.data[0]).toMatchObject({ recorded: true, state: 'sent' });
		const resend = await claim(campaign.id, { limit: 10, resend_unknown: true });
		expect(resend.body.data.map((x: { wa_id: string }) => x.wa_id)).toEqual([optedIn[1]]);
		const row = await db.pool.query(
			'SELECT claim_count FROM campaign_recipients WHERE campaign_id = $1 AND wa_id = $2',
			[campaign.id, optedIn[1]],
		);
		expect(row.rows[0].claim_count).toBe(2);
	});

	it('404 for unknown campaigns, 422 for bad bodies', async () => {
		expect((await service.call(key, 'GET', '/api/v1/campaigns/00000000-0000-4000-8000-000000000000')).status).toBe(404);
		expect((await claim('00000000-0000-4000-8000-000000000000')).status).toBe(404);
		const bad = await service.call(key, 'POST', '/api/v1/campaigns', { name: 'x', template: { name: 'y' } });
		expect(bad.status).toBe(422);
		expect(bad.body.error.details.map((d: { path: string }) => d.path)).toContain('template.language');
		expect((await claim('00000000-0000-4000-8000-000000000000', { limit: 0 })).status).toBe(422);
	});
});
