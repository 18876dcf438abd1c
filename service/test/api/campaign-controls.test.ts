// Campaign controls and truthful outcomes: a scheduled start, pause within one batch, resume without
// duplicates, cancel letting the rest go, a run that sent nothing ending failed with its reason and
// its claims released (resumable), and the staff report page's funnel against the database.
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

jest.setTimeout(30_000);

let db: TestDatabase;
let service: ApiService;
let key: string;

const number = (i: number) => `4478${String(i).padStart(8, '0')}`;
let next = 0;

beforeAll(async () => {
	db = await migratedDatabase('api_campaign_controls');
	service = await startApiService(db.pool);
	key = (await userWithKey(db.pool, 'free', 'contacts,campaigns')).key;
});

afterAll(async () => {
	await service.close();
	await db.drop();
});

async function campaignFor(tag: string, optedIn: number, extra: Record<string, unknown> = {}, optedOut = 0) {
	const contacts = [];
	for (let n = 0; n < optedIn; n++)
		contacts.push({ wa_id: number(next++), name: `Customer ${n}`, tags: [tag], consent: 'opted_in' });
	for (let n = 0; n < optedOut; n++) contacts.push({ wa_id: number(next++), tags: [tag], consent: 'opted_out' });
	expect((await service.call(key, 'POST', '/api/v1/contacts', { contacts })).status).toBe(200);
	const created = await service.call(key, 'POST', '/api/v1/campaigns', {
		name: `Restock ${tag}`,
		template: { name: 'restock', language: 'en' },
		audience: { tags: [tag] },
		...extra,
	});
	expect(created.status).toBe(201);
	return {
		id: created.body.id as string,
		body: created.body,
		optedIn: contacts.filter((c) => c.consent === 'opted_in').map((c) => c.wa_id),
	};
}

const claim = (id: string, limit = 50) => service.call(key, 'POST', `/api/v1/campaigns/${id}/claim`, { limit });
const control = (id: string, action: string, body?: unknown) =>
	service.call(key, 'POST', `/api/v1/campaigns/${id}/${action}`, body);
const report = async (id: string) => (await service.call(key, 'GET', `/api/v1/campaigns/${id}`)).body;
const waIds = (r: { body: { data: Array<{ wa_id: string }> } }) => r.body.data.map((x) => x.wa_id);
const sentAll = (id: string, list: string[]) =>
	service.call(key, 'POST', `/api/v1/campaigns/${id}/results`, {
		results: list.map((wa_id) => ({ wa_id, wamid: wamid() })),
	});
const claimCounts = async (id: string) =>
	(
		await db.pool.query<{ wa_id: string; claim_count: number; state: string }>(
			'SELECT wa_id, claim_count, state FROM campaign_recipients WHERE campaign_id = $1 ORDER BY wa_id',
			[id],
		)
	).rows;

describe('campaign controls', () => {
	it('a scheduled campaign hands out nobody before its time and starts at it', async () => {
		const at = new Date(Date.now() + 1500);
		const { id, body, optedIn } = await campaignFor('sched', 2, { scheduled_at: at.toISOString() });
		expect(body).toMatchObject({ status: 'scheduled', scheduled_at: at.toISOString() });
		expect(body.summary).toMatch(/^Scheduled for .* · 2 customers on the list$/);
		const early = await claim(id);
		expect(early.body).toMatchObject({ data: [], campaign_status: 'scheduled', starts_at: at.toISOString() });
		while (Date.now() <= at.getTime() + 50) await new Promise((r) => setTimeout(r, 100));
		const due = await claim(id);
		expect(due.body.campaign_status).toBe('running');
		expect(waIds(due)).toEqual(optedIn);
	});

	it('rejects a start time without a time zone, naming the field and the form', async () => {
		const bad = await service.call(key, 'POST', '/api/v1/campaigns', {
			name: 'x',
			template: { name: 't', language: 'en' },
			scheduled_at: '2026-12-01 09:30',
		});
		expect(bad.status).toBe(422);
		expect(bad.body.error.details).toEqual([
			expect.objectContaining({ path: 'scheduled_at', message: expect.stringContaining('time zone') }),
		]);
	});

	it('pause stops further claims at the next batch; resume continues without duplicates', async () => {
		const { id, optedIn } = await campaignFor('pause', 5);
		const first = await claim(id, 2);
		expect(waIds(first)).toEqual(optedIn.slice(0, 2));
		expect((await control(id, 'pause')).body.status).toBe('paused');
		const paused = await claim(id, 10);
		expect(paused.body).toMatchObject({ data: [], campaign_status: 'paused', remaining: { pending: 3 } });
		// The batch already handed out is still sent and recorded.
		expect((await sentAll(id, waIds(first))).status).toBe(200);
		expect((await report(id)).summary).toBe('Sent to 2 of 5 customers · 3 still to send · paused');
		expect((await control(id, 'resume')).body.status).toBe('running');
		const rest = await claim(id, 10);
		expect(waIds(rest)).toEqual(optedIn.slice(2));
		await sentAll(id, waIds(rest));
		expect((await claim(id, 10)).body.data).toEqual([]);
		expect((await claimCounts(id)).map((r) => [r.claim_count, r.state])).toEqual(optedIn.map(() => [1, 'sent']));
		expect(await report(id)).toMatchObject({ status: 'completed', summary: 'Sent to 5 of 5 customers' });
	});

	it('cancel lets the recipients not yet claimed go; a finished campaign cannot be resumed', async () => {
		const { id, optedIn } = await campaignFor('cancel', 4);
		const first = await claim(id, 1);
		const cancelled = await control(id, 'cancel');
		expect(cancelled.body).toMatchObject({
			status: 'cancelled',
			status_reason: 'cancelled by staff',
			funnel: { cancelled: 3, in_flight: 1 },
		});
		expect((await claim(id)).body).toMatchObject({ data: [], campaign_status: 'cancelled' });
		await sentAll(id, waIds(first));
		const states = await claimCounts(id);
		expect(states.filter((r) => r.state === 'skipped').map((r) => r.wa_id)).toEqual(optedIn.slice(1));
		expect((await report(id)).summary).toBe('Sent to 1 of 4 customers · 3 not sent (cancelled)');
		const again = await control(id, 'resume');
		expect(again.status).toBe(409);
		expect(again.body.error.message).toBe('The campaign is cancelled; it cannot be resumed.');
	});

	it('a run where WhatsApp refuses every message ends failed with the reason; released claims are sent once on resume', async () => {
		const { id, optedIn } = await campaignFor('refused', 2);
		expect(waIds(await claim(id))).toEqual(optedIn);
		await service.call(key, 'POST', `/api/v1/campaigns/${id}/results`, {
			results: optedIn.map((wa_id) => ({
				wa_id,
				error: { code: 132012, title: 'Parameter format does not match format in the created template' },
			})),
		});
		expect(await report(id)).toMatchObject({
			status: 'failed',
			summary:
				'Nothing was sent: WhatsApp refused every message: a template value has the wrong format, e.g. the header needs an image (Meta error 132012)',
		});

		// The sending step stopped before sending (e.g. an expired token): the workflow releases them.
		const second = await campaignFor('stopped', 2);
		await claim(second.id);
		const failed = await control(second.id, 'fail', {
			reason: 'the WhatsApp access token has expired (Meta error 190)',
			release: second.optedIn,
		});
		expect(failed.body).toMatchObject({
			status: 'failed',
			summary: 'Nothing was sent: the WhatsApp access token has expired (Meta error 190)',
			funnel: { waiting: 2, in_flight: 0 },
		});
		expect((await claim(second.id)).body).toMatchObject({ data: [], campaign_status: 'failed' });
		expect((await control(second.id, 'resume')).body.status).toBe('running');
		const retry = await claim(second.id);
		expect(waIds(retry)).toEqual(second.optedIn);
		await sentAll(second.id, waIds(retry));
		expect((await claim(second.id)).body.data).toEqual([]);
		expect((await claimCounts(second.id)).map((r) => r.state)).toEqual(['sent', 'sent']);
		expect(await report(second.id)).toMatchObject({ status: 'completed', status_reason: null, funnel: { sent: 2 } });
	});

	it('an audience with nobody opted in is failed at once with the reason', async () => {
		const { body } = await campaignFor('nobody', 0, {}, 2);
		expect(body).toMatchObject({
			status: 'failed',
			summary: 'Nothing was sent: none of the 2 matching contacts has opted in',
		});
	});

	it('the report page shows the funnel the database holds, without API paths, only with its token', async () => {
		const { id, optedIn, body } = await campaignFor('funnel', 5, {}, 1);
		await claim(id, 10).then(() => undefined);
		// optedIn[4] opted out after the list was made: released and skipped at the next claim.
		await db.pool.query(`UPDATE campaign_recipients SET state = 'pending' WHERE campaign_id = $1 AND wa_id = $2`, [
			id,
			optedIn[4],
		]);
		await service.postMeta(inboundMessages([{ from: optedIn[4], id: wamid(), text: 'STOP' }]));
		expect((await claim(id, 10)).body.skipped).toBe(1);
		const ids = optedIn.slice(0, 3).map(() => wamid());
		await service.call(key, 'POST', `/api/v1/campaigns/${id}/results`, {
			results: [
				...optedIn.slice(0, 3).map((wa_id, i) => ({ wa_id, wamid: ids[i] })),
				{ wa_id: optedIn[3], error: { code: 131026, title: 'Message undeliverable' } },
			],
		});
		await service.postMeta(
			statusUpdate([
				{ wamid: ids[0], status: 'read', recipient: optedIn[0] },
				{ wamid: ids[1], status: 'delivered', recipient: optedIn[1] },
			]),
		);
		await service.postMeta(
			inboundMessages([
				{ from: optedIn[0], id: wamid(), text: 'Is the red one back?', timestamp: Math.floor(Date.now() / 1000) + 5 },
			]),
		);
		const r = await report(id);
		const db_ = (
			await db.pool.query(
				`SELECT count(*) FILTER (WHERE sent_at IS NOT NULL)::int AS sent, count(*) FILTER (WHERE delivered_at IS NOT NULL)::int AS delivered,
				        count(*) FILTER (WHERE read_at IS NOT NULL)::int AS read, count(*) FILTER (WHERE state = 'failed')::int AS failed,
				        count(*) FILTER (WHERE state = 'skipped')::int AS skipped, count(*)::int AS recipients
				 FROM campaign_recipients WHERE campaign_id = $1`,
				[id],
			)
		).rows[0];
		expect(r.funnel).toMatchObject({
			audience: 6,
			recipients: db_.recipients,
			skipped_by_consent: { at_creation: 1, since_creation: db_.skipped },
			sent: db_.sent,
			delivered: db_.delivered,
			read: db_.read,
			replied: 1,
			failed: db_.failed,
			failed_by_reason: [{ code: 131026, reason: 'not on WhatsApp (Meta error 131026)', count: 1 }],
		});
		expect([r.funnel.sent, r.funnel.delivered, r.funnel.read, r.funnel.failed]).toEqual([3, 2, 1, 1]);
		expect(r.summary).toBe(
			'Sent to 3 of 5 customers · 1 skipped (opted out since the list was made) · 1 failed (1 not on WhatsApp (Meta error 131026))',
		);
		expect(body.report_url).toMatch(new RegExp(`^${service.url}/reports/[0-9a-f]{64}$`));
		expect(r.report_url).toBe(body.report_url);

		const page = await fetch(r.report_url);
		expect(page.status).toBe(200);
		expect(page.headers.get('content-type')).toMatch(/^text\/html/);
		const html = await page.text();
		expect(html).toContain('Sent to 3 of 5 customers');
		for (const [label, n] of [
			['Customers matching the audience', 6],
			['Sent', 3],
			['Delivered', 2],
			['Read', 1],
			['Replied', 1],
			['Failed', 1],
		] as const) {
			expect(html).toContain(`<td>${label}</td><td class="n">${n}</td>`);
		}
		expect(html).not.toMatch(/\/api\/|campaign_recipients|[0-9a-f]{8}-[0-9a-f]{4}-/);
		const wrong = await fetch(r.report_url.replace(/.{4}$/, '0000'));
		expect(wrong.status).toBe(404);
		expect(await wrong.text()).toContain('This report link is not valid');
	});
});

describe('campaigns with people known only by their BSUID, and messages Meta held back', () => {
	const bsuid = (i: number) => `IN.77${String(next++).padStart(10, '0')}${i}`;
	async function mixedCampaign(tag: string, phones: number, bsuids: number) {
		const contacts: Array<Record<string, unknown>> = [];
		for (let n = 0; n < phones; n++) contacts.push({ wa_id: number(next++), tags: [tag], consent: 'opted_in' });
		for (let n = 0; n < bsuids; n++) contacts.push({ user_id: bsuid(n), tags: [tag], consent: 'opted_in' });
		expect((await service.call(key, 'POST', '/api/v1/contacts', { contacts })).status).toBe(200);
		const created = await service.call(key, 'POST', '/api/v1/campaigns', {
			name: `Mixed ${tag}`,
			template: { name: 'restock', language: 'en' },
			audience: { tags: [tag] },
		});
		expect(created.status).toBe(201);
		return created.body.id as string;
	}
	const handedOut = (r: { body: { data: Array<{ to: string | null; recipient: string | null }> } }) =>
		r.body.data.map((x) => x.to ?? x.recipient!);
	const states = async (id: string) =>
		Object.fromEntries(
			(
				await db.pool.query<{ who: string; state: string }>(
					'SELECT coalesce(wa_id, user_id) AS who, state FROM campaign_recipients WHERE campaign_id = $1',
					[id],
				)
			).rows.map((r) => [r.who, r.state]),
		);

	it('release takes user_ids, wa_ids or recipients of either kind; the released are sent once on the next claim', async () => {
		const id = await mixedCampaign('release-bsuid', 2, 2);
		const first = handedOut(await claim(id));
		const [phoneA, phoneB, userA, userB] = first;
		expect([userA, userB].every((u) => /^IN\./.test(u))).toBe(true);

		const byUser = await control(id, 'release', { user_ids: [userA] });
		expect(byUser.body).toEqual({ released: 1 });
		const mixed = await control(id, 'release', { recipients: [phoneA, userB] });
		expect(mixed.body).toEqual({ released: 2 });
		expect(await states(id)).toEqual({
			[phoneA]: 'pending',
			[phoneB]: 'claimed',
			[userA]: 'pending',
			[userB]: 'pending',
		});
		// Released once: naming them again releases nobody.
		expect((await control(id, 'release', { user_ids: [userA] })).body).toEqual({ released: 0 });
		expect(handedOut(await claim(id)).sort()).toEqual([phoneA, userA, userB].sort());
	});

	it('release rejects an identifier that is neither a phone number nor a BSUID, or is in the wrong list, naming the field', async () => {
		const id = await mixedCampaign('release-bad', 1, 1);
		const [phone, user] = handedOut(await claim(id));
		const bad = await control(id, 'release', { recipients: [phone, 'in.123'] });
		expect(bad.status).toBe(422);
		expect(bad.body.error.details).toEqual([expect.objectContaining({ path: 'recipients[1]' })]);
		const wrongList = await control(id, 'release', { wa_ids: [user] });
		expect(wrongList.status).toBe(422);
		expect(wrongList.body.error.details).toEqual([
			expect.objectContaining({ path: 'wa_ids[0]', message: expect.stringContaining('user_ids') }),
		]);
		expect(await states(id)).toEqual({ [phone]: 'claimed', [user]: 'claimed' });
	});

	it('fail releases BSUID-only recipients too; resume sends them once', async () => {
		const id = await mixedCampaign('fail-bsuid', 1, 2);
		const first = handedOut(await claim(id));
		const failed = await control(id, 'fail', { reason: 'the template is paused (Meta error 132015)', release: first });
		expect(failed.body).toMatchObject({ status: 'failed', funnel: { waiting: 3, in_flight: 0 } });
		expect((await control(id, 'resume')).body.status).toBe('running');
		const retry = handedOut(await claim(id));
		expect(retry.sort()).toEqual([...first].sort());
		await service.call(key, 'POST', `/api/v1/campaigns/${id}/results`, {
			results: retry.map((who) => ({ wa_id: who, wamid: wamid() })),
		});
		expect(Object.values(await states(id))).toEqual(['sent', 'sent', 'sent']);
	});

	it('messages Meta held back (131049) are counted as held, never as sent nor as opt-outs, in the summary, the funnel and the page', async () => {
		const id = await mixedCampaign('held', 2, 2);
		const [phoneA, phoneB, userA, userB] = handedOut(await claim(id));
		const held = { code: 131049, title: 'This message was not delivered to maintain healthy ecosystem engagement.' };
		await service.call(key, 'POST', `/api/v1/campaigns/${id}/results`, {
			results: [
				{ wa_id: phoneA, wamid: wamid() },
				{ user_id: userA, wamid: wamid() },
				{ wa_id: phoneB, error: held },
				{ user_id: userB, error: held },
			],
		});
		const r = await report(id);
		expect(r.funnel).toMatchObject({
			recipients: 4,
			sent: 2,
			failed: 0,
			held_by_meta: 2,
			skipped_by_consent: { since_creation: 0 },
		});
		expect(r.summary).toBe('Sent to 2 of 4 customers · 2 held back by Meta for now (131049)');
		expect(r.status).toBe('completed');
		for (const who of [phoneB, userB])
			expect((await service.call(key, 'GET', `/api/v1/contacts/${who}`)).body.consent).toBe('opted_in');
		const html = await (await fetch(r.report_url)).text();
		expect(html).toContain('Sent to 2 of 4 customers · 2 held back by Meta for now (131049)');
		expect(html).toContain('<td>Sent</td><td class="n">2</td>');
		expect(html).toContain('<td>Held back by Meta for now (131049; not an opt-out, not sent)</td><td class="n">2</td>');
		expect(html).toContain('<td>Skipped: opted out since the list was made</td><td class="n">0</td>');
	});

	it('a campaign where Meta held back every message says nothing was sent, and why', async () => {
		const id = await mixedCampaign('all-held', 0, 2);
		const users = handedOut(await claim(id));
		await service.call(key, 'POST', `/api/v1/campaigns/${id}/results`, {
			results: users.map((user_id) => ({ user_id, error: { code: 131049 } })),
		});
		const r = await report(id);
		expect(r).toMatchObject({ status: 'failed', funnel: { sent: 0, held_by_meta: 2 } });
		expect(r.summary).toBe(
			'Nothing was sent: 2 held back by Meta for now (131049) (Meta limits how many marketing messages a customer gets; not an opt-out)',
		);
	});
});
