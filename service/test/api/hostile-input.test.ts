// Bad input gets a 4xx naming what was wrong, never a 5xx, and nothing is written: one test per class
// of input that used to reach a database error or a JavaScript exception (a 500). Also the two small
// leaks: slug conflicts with premium assets, and premium asset ids in bundle events.
import { randomBytes } from 'node:crypto';
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
let pro: { key: string; userId: string };
let free: { key: string; userId: string };

const cursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const uuid = '6f9619ff-8b86-4d01-b42d-00cf4fc964ff';
let n = 0;
const number = () => `4479${String(90_000_000 + n++).slice(-8)}`;

/** Row counts of every table a request could write. */
async function counts(): Promise<Record<string, number>> {
	const tables = [
		'contacts',
		'consent_events',
		'library_assets',
		'campaigns',
		'campaign_recipients',
		'subscriptions',
		'deliveries',
		'events',
	];
	const { rows } = await db.pool.query(
		`SELECT ${tables.map((t) => `(SELECT count(*)::int FROM ${t}) AS ${t}`).join(', ')}`,
	);
	return rows[0];
}

/** The request is refused with `status` (and the field named), and nothing was written. */
async function refused(key: string, method: string, path: string, body: unknown, status: number, field?: string) {
	const before = await counts();
	const res = await service.call(key, method, path, body);
	expect({ status: res.status, body: res.body }).toMatchObject({ status });
	if (field) expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: field })]));
	expect(await counts()).toEqual(before);
	return res;
}

beforeAll(async () => {
	db = await migratedDatabase('api_hostile');
	service = await startApiService(db.pool, { FANOUT_WORKER: 'false' });
	pro = await userWithKey(db.pool, 'pro', 'library:read,library:write,contacts,campaigns,events');
	free = await userWithKey(db.pool, 'free', 'library:read,library:write,contacts,campaigns,events');
});

afterAll(async () => {
	await service.close();
	await db.drop();
});

describe('no 5xx for hostile input', () => {
	it('a cursor whose decoded parts are not what the SQL expects is a 400 invalid_cursor', async () => {
		for (const forged of [
			cursor({ at: 'not a time', id: uuid }),
			cursor({ at: '2026-13-45 10:00:00+00', id: uuid }),
			cursor({ at: '2026-05-01 10:00:00+00', id: 'not-a-uuid' }),
			cursor(['2026-05-01', uuid]),
			'%%%',
		]) {
			for (const path of ['/api/v1/library/assets', '/api/v1/deliveries']) {
				const res = await refused(pro.key, 'GET', `${path}?cursor=${encodeURIComponent(forged)}`, undefined, 400);
				expect(res.body.error.code).toBe('invalid_cursor');
			}
		}
		const contacts = await refused(pro.key, 'GET', `/api/v1/contacts?cursor=${cursor('12ab')}`, undefined, 400);
		expect(contacts.body.error.code).toBe('invalid_cursor');
		// A real cursor still pages.
		expect(
			(
				await service.call(
					pro.key,
					'GET',
					`/api/v1/deliveries?cursor=${cursor({ at: '2026-05-01 10:00:00.123456+00', id: uuid })}`,
				)
			).status,
		).toBe(200);
	});

	it('text Postgres cannot store (U+0000, lone surrogates) is a 422 naming the field, in query, path and body', async () => {
		await refused(pro.key, 'GET', '/api/v1/library/assets?q=diwali%00offer', undefined, 422, 'query.q');
		await refused(pro.key, 'GET', '/api/v1/deliveries?event_type=whatsapp%00', undefined, 422, 'query.event_type');
		await refused(pro.key, 'PUT', `/api/v1/contacts/${number()}`, { name: 'Asha\u0000' }, 422, 'name');
		await refused(pro.key, 'PUT', `/api/v1/contacts/${number()}`, { tags: ['vip', 'half \ud83d'] }, 422, 'tags[1]');
		await refused(
			pro.key,
			'POST',
			'/api/v1/contacts',
			{
				contacts: [
					{ wa_id: number(), name: 'ok' },
					{ wa_id: number(), consent_note: '\udc00' },
				],
			},
			422,
			'contacts[1].consent_note',
		);
		await refused(
			pro.key,
			'POST',
			`/api/v1/contacts/${number()}/consent`,
			{ consent: 'opted_in', note: 'form\u0000' },
			422,
			'note',
		);
		await refused(
			pro.key,
			'POST',
			'/api/v1/campaigns',
			{ name: 'Diwali', template: { name: 't', language: 'en' }, parameters: ['\ud800'] },
			422,
			'parameters[0]',
		);
		await refused(
			pro.key,
			'POST',
			'/api/v1/library/assets',
			{ title: 'T', type: 'prompt', content: { ['k\u0000']: 1 } },
			422,
			'content',
		);
		await refused(
			pro.key,
			'POST',
			'/api/v1/subscriptions',
			{ url: 'https://example.com/hook', event_types: ['*'], description: 'a\u0000' },
			422,
			'description',
		);
	});

	it('free-form JSON nested without bound is a 422 naming the field, not a stack overflow', async () => {
		const depth = 6000;
		const deep = `{"title":"Deep","type":"prompt","content":{"a":${'['.repeat(depth)}1${']'.repeat(depth)}}}`;
		const before = await counts();
		const res = await fetch(`${service.url}/api/v1/library/assets`, {
			method: 'POST',
			headers: { authorization: `Bearer ${pro.key}`, 'content-type': 'application/json' },
			body: deep,
		});
		const body = (await res.json()) as any;
		expect(res.status).toBe(422);
		expect(body.error.details[0]).toMatchObject({
			path: expect.stringMatching(/^content\.a\[0\]/),
			message: expect.stringContaining('nests deeper'),
		});
		expect(await counts()).toEqual(before);
		expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
	});

	it('an error code beyond 32 bits in a campaign result is stored as sent, and one beyond what JSON keeps exactly is a 422', async () => {
		const waId = number();
		await service.call(pro.key, 'PUT', `/api/v1/contacts/${waId}`, { tags: ['big-code'], consent: 'opted_in' });
		const campaign = await service.call(pro.key, 'POST', '/api/v1/campaigns', {
			name: 'Big',
			template: { name: 't', language: 'en' },
			audience: { tags: ['big-code'] },
		});
		await service.call(pro.key, 'POST', `/api/v1/campaigns/${campaign.body.id}/claim`, {});
		await refused(
			pro.key,
			'POST',
			`/api/v1/campaigns/${campaign.body.id}/results`,
			{ results: [{ wa_id: waId, error: { code: 2 ** 60 } }] },
			422,
			'results[0].error.code',
		);
		const res = await service.call(pro.key, 'POST', `/api/v1/campaigns/${campaign.body.id}/results`, {
			results: [{ wa_id: waId, error: { code: 2 ** 31, title: 'Odd' } }],
		});
		expect(res.status).toBe(200);
		expect(res.body.data).toEqual([{ wa_id: waId, user_id: null, state: 'failed', recorded: true }]);
		const report = await service.call(pro.key, 'GET', `/api/v1/campaigns/${campaign.body.id}`);
		expect(report.body.failures).toEqual([{ code: 2 ** 31, title: 'Odd', count: 1 }]);
	});
});

describe('Meta payloads that do not fit a column are stored, not refused', () => {
	it('a failed status with an out-of-range error code does not roll back its batch: every event is stored', async () => {
		const waId = number();
		await service.call(pro.key, 'PUT', `/api/v1/contacts/${waId}`, { tags: ['meta-code'], consent: 'opted_in' });
		const campaign = await service.call(pro.key, 'POST', '/api/v1/campaigns', {
			name: 'Meta',
			template: { name: 't', language: 'en' },
			audience: { tags: ['meta-code'] },
		});
		await service.call(pro.key, 'POST', `/api/v1/campaigns/${campaign.body.id}/claim`, {});
		const sentId = wamid();
		await service.call(pro.key, 'POST', `/api/v1/campaigns/${campaign.body.id}/results`, {
			results: [{ wa_id: waId, wamid: sentId }],
		});
		const others = [wamid(), wamid()];
		const payloads = [
			statusUpdate([
				{
					wamid: sentId,
					status: 'failed',
					recipient: waId,
					error: { code: 2 ** 31, title: 'Beyond int', details: 'x' },
				},
				{ wamid: others[0], status: 'failed', recipient: waId, error: { code: 1e20, title: 'Huge', details: 'y' } },
				{ wamid: others[1], status: 'failed', recipient: waId, error: { code: 1.5, title: 'Fraction', details: 'z' } },
			]),
			inboundMessages([{ from: waId, id: wamid(), text: 'hello' }]),
		];
		const answers = await Promise.all(payloads.map((body) => service.postMeta(body)));
		expect(answers.map((a) => a.status)).toEqual([200, 200]);
		const stored = await db.pool.query('SELECT count(*)::int AS n FROM events WHERE dedupe_key = ANY ($1::text[])', [
			[sentId, ...others].map((id) => `wa.status:${id}:failed`),
		]);
		expect(stored.rows[0].n).toBe(3);
		const ledger = await db.pool.query(
			'SELECT state, error_code::text AS code, error_title FROM campaign_recipients WHERE wamid = $1',
			[sentId],
		);
		expect(ledger.rows).toEqual([{ state: 'failed', code: String(2 ** 31), error_title: 'Beyond int' }]);
	});

	it('an id longer than a unique index can hold is stored, and its redelivery is still a duplicate', async () => {
		const longId = `wamid.${randomBytes(3000).toString('base64url')}`;
		const body = statusUpdate([{ wamid: longId, status: 'delivered', recipient: number() }]);
		expect((await service.postMeta(body)).status).toBe(200);
		const keyword = inboundMessages([
			{ from: number(), id: `wamid.${randomBytes(3000).toString('base64url')}`, text: 'STOP' },
		]);
		expect((await service.postMeta(keyword)).status).toBe(200);
		const before = await counts();
		expect(
			(await service.postMeta(statusUpdate([{ wamid: longId, status: 'delivered', recipient: number() }]))).status,
		).toBe(200);
		expect((await counts()).events).toBe(before.events);
		const stored = await db.pool.query(
			"SELECT payload->>'wamid' AS wamid FROM events WHERE type = 'whatsapp.status' AND payload->>'wamid' = $1",
			[longId],
		);
		expect(stored.rows).toHaveLength(1);
	});
});

describe('premium assets stay invisible to free users', () => {
	it('a slug conflict with a premium asset answers a free user exactly as one with any other asset', async () => {
		const premium = await service.call(pro.key, 'POST', '/api/v1/library/assets', {
			title: 'Secret plan',
			type: 'guide',
			content: 'x',
			is_premium: true,
			slug: 'secret-plan',
		});
		expect(premium.status).toBe(201);
		await service.call(pro.key, 'POST', '/api/v1/library/assets', {
			title: 'Open plan',
			type: 'guide',
			content: 'x',
			slug: 'open-plan',
		});
		const hidden = await refused(
			free.key,
			'POST',
			'/api/v1/library/assets',
			{ title: 'Mine', type: 'guide', content: 'x', slug: 'secret-plan' },
			409,
		);
		const visible = await refused(
			free.key,
			'POST',
			'/api/v1/library/assets',
			{ title: 'Mine', type: 'guide', content: 'x', slug: 'open-plan' },
			409,
		);
		expect(JSON.stringify(hidden.body)).not.toMatch(/exist|premium|Secret plan|PATCH/i);
		expect(JSON.stringify(hidden.body).replace('secret-plan', 'S')).toBe(
			JSON.stringify(visible.body).replace('open-plan', 'S'),
		);
	});

	it('library.bundle_ingested gives premium asset ids only to subscriptions whose owner may read them', async () => {
		const subscribe = async (key: string) =>
			(
				await service.call(key, 'POST', '/api/v1/subscriptions', {
					url: 'http://127.0.0.1:9/hook',
					event_types: ['library.bundle_ingested'],
				})
			).body.id;
		const [proSub, freeSub] = [await subscribe(pro.key), await subscribe(free.key)];
		const bundle = JSON.stringify({
			bundle_id: 'tiers',
			assets: [
				{ slug: 'tier-free', type: 'prompt', title: 'Free', content: 'a' },
				{ slug: 'tier-premium', type: 'prompt', title: 'Premium', content: 'b', is_premium: true },
			],
		});
		const res = await service.postBundle(bundle);
		expect(res.status).toBe(200);
		const premiumId = ((await res.json()) as any).assets.find((a: { slug: string }) => a.slug === 'tier-premium').id;
		const delivered = async (subscription: string) =>
			(
				await db.pool.query(
					'SELECT e.payload FROM deliveries d JOIN events e ON e.id = d.event_id WHERE d.subscription_id = $1',
					[subscription],
				)
			).rows.map((r) => r.payload);
		const [forPro, forFree] = [await delivered(proSub), await delivered(freeSub)];
		expect(forPro).toHaveLength(1);
		expect(forPro[0].assets.map((a: { id: string }) => a.id)).toContain(premiumId);
		expect(forFree).toHaveLength(1);
		expect(forFree[0]).toMatchObject({ bundle_id: 'tiers', created: 1, assets: [{ slug: 'tier-free' }] });
		expect(JSON.stringify(forFree[0])).not.toContain(premiumId);
	});
});
