// API keys (401/403), the library under row-level security, and the OpenAPI document.
import type { TestDatabase } from '../../../test/helpers/postgres';
import { revokeApiKey } from '../../src/access/repository';
import { migratedDatabase, startApiService, userWithKey, type ApiService } from './helpers';

// Generous: the machine may be busy; nothing here asserts timing.
jest.setTimeout(30_000);

let db: TestDatabase;
let service: ApiService;
let free: { key: string; userId: string };
let pro: { key: string; userId: string };
let writer: { key: string; userId: string };

const asset = (title: string, isPremium: boolean, extra: Record<string, unknown> = {}) => ({
	title,
	type: 'prompt',
	content: { text: `${title} body` },
	tags: ['diwali'],
	is_premium: isPremium,
	...extra,
});

beforeAll(async () => {
	db = await migratedDatabase('api_library');
	service = await startApiService(db.pool);
	free = await userWithKey(db.pool, 'free', 'library:read');
	pro = await userWithKey(db.pool, 'pro', 'library:read');
	writer = await userWithKey(db.pool, 'pro', 'library:read,library:write');
	for (const [title, premium] of [
		['Festive sale caption', false],
		['Premium launch playbook', true],
		['Premium reel script', true],
		['Free greeting', false],
	] as const) {
		const created = await service.call(writer.key, 'POST', '/api/v1/library/assets', asset(title, premium));
		expect(created.status).toBe(201);
	}
});

afterAll(async () => {
	await service.close();
	await db.drop();
});

describe('API keys', () => {
	it('401 without a key, with a wrong key, and with a revoked key', async () => {
		expect((await service.call(undefined, 'GET', '/api/v1/library/assets')).status).toBe(401);
		const wrong = await service.call(`tp_${'x'.repeat(32)}`, 'GET', '/api/v1/library/assets');
		expect(wrong.status).toBe(401);
		expect(wrong.body.error.code).toBe('invalid_api_key');
		const temp = await userWithKey(db.pool, 'pro', 'library:read');
		expect((await service.call(temp.key, 'GET', '/api/v1/library/assets')).status).toBe(200);
		await revokeApiKey(db.pool, temp.keyId);
		const revoked = await service.call(temp.key, 'GET', '/api/v1/library/assets');
		expect(revoked.status).toBe(401);
		expect(revoked.body).toEqual({ error: { code: 'invalid_api_key', message: expect.any(String) } });
	});

	it('403 naming the missing scope', async () => {
		const denied = await service.call(free.key, 'POST', '/api/v1/library/assets', asset('x', false));
		expect(denied.status).toBe(403);
		expect(denied.body.error).toMatchObject({ code: 'insufficient_scope', details: { required: 'library:write' } });
		for (const path of ['/api/v1/contacts', '/api/v1/subscriptions', '/api/v1/deliveries']) {
			expect((await service.call(free.key, 'GET', path)).status).toBe(403);
		}
	});

	it('GET /api/v1/me tells any valid key its user, tier and scopes, and refuses a revoked one', async () => {
		const me = await service.call(free.key, 'GET', '/api/v1/me');
		expect(me.status).toBe(200);
		expect(me.body).toEqual({
			user: { id: expect.any(String), email: expect.any(String), tier: 'free' },
			key: { id: expect.any(String), scopes: expect.any(Array) },
		});
		const temp = await userWithKey(db.pool, 'pro', 'events');
		expect((await service.call(temp.key, 'GET', '/api/v1/me')).body.user.tier).toBe('pro');
		await revokeApiKey(db.pool, temp.keyId);
		expect((await service.call(temp.key, 'GET', '/api/v1/me')).status).toBe(401);
		expect((await service.call(undefined, 'GET', '/api/v1/me')).status).toBe(401);
	});

	it('stores keys hashed only', async () => {
		const { rows } = await db.pool.query('SELECT * FROM api_keys');
		const dump = JSON.stringify(rows);
		for (const key of [free.key, pro.key, writer.key]) expect(dump).not.toContain(key);
	});
});

describe('library under row-level security', () => {
	it("a free user's key never returns premium content: list, filter, search, get", async () => {
		const list = await service.call(free.key, 'GET', '/api/v1/library/assets');
		expect(list.status).toBe(200);
		expect(list.body.data.map((a: { title: string }) => a.title).sort()).toEqual([
			'Festive sale caption',
			'Free greeting',
		]);
		expect((await service.call(free.key, 'GET', '/api/v1/library/assets?premium=true')).body.data).toEqual([]);
		expect((await service.call(free.key, 'GET', '/api/v1/library/assets?q=premium')).body.data).toEqual([]);
		const premium = (await service.call(pro.key, 'GET', '/api/v1/library/assets?premium=true')).body.data;
		expect(premium).toHaveLength(2);
		for (const item of premium) {
			const got = await service.call(free.key, 'GET', `/api/v1/library/assets/${item.id}`);
			expect(got.status).toBe(404);
			expect(JSON.stringify(got.body)).not.toContain(item.title);
		}
	});

	it('a pro user reads everything; search and filters work', async () => {
		expect((await service.call(pro.key, 'GET', '/api/v1/library/assets')).body.data).toHaveLength(4);
		const search = await service.call(pro.key, 'GET', '/api/v1/library/assets?q=reel');
		expect(search.body.data.map((a: { title: string }) => a.title)).toEqual(['Premium reel script']);
		const byContent = await service.call(
			pro.key,
			'GET',
			`/api/v1/library/assets?q=${encodeURIComponent('greeting body')}`,
		);
		expect(byContent.body.data.map((a: { title: string }) => a.title)).toEqual(['Free greeting']);
		expect(
			(await service.call(pro.key, 'GET', '/api/v1/library/assets?tag=diwali&type=prompt')).body.data,
		).toHaveLength(4);
		expect((await service.call(pro.key, 'GET', '/api/v1/library/assets?tag=holi')).body.data).toHaveLength(0);
		expect((await service.call(pro.key, 'GET', '/api/v1/library/assets?type=nonsense')).status).toBe(422);
	});

	it('paginates with a cursor, no duplicates or gaps', async () => {
		const seen: string[] = [];
		let cursor: string | null = null;
		do {
			const page: { body: { data: Array<{ id: string }>; next_cursor: string | null } } = await service.call(
				pro.key,
				'GET',
				`/api/v1/library/assets?limit=1${cursor ? `&cursor=${cursor}` : ''}`,
			);
			seen.push(...page.body.data.map((a) => a.id));
			cursor = page.body.next_cursor;
		} while (cursor);
		expect(seen).toHaveLength(4);
		expect(new Set(seen).size).toBe(4);
		const bogus = await service.call(pro.key, 'GET', '/api/v1/library/assets?cursor=bogus');
		expect([bogus.status, bogus.body.error.code]).toEqual([400, 'invalid_cursor']);
	});

	it('creates, patches and deletes; a free writer cannot touch premium assets it cannot read', async () => {
		const created = await service.call(
			writer.key,
			'POST',
			'/api/v1/library/assets',
			asset('Temp', false, { slug: 'temp-asset' }),
		);
		expect(created.body).toMatchObject({ slug: 'temp-asset', title: 'Temp', is_premium: false, tags: ['diwali'] });
		expect(
			(await service.call(writer.key, 'POST', '/api/v1/library/assets', asset('Temp', false, { slug: 'temp-asset' })))
				.status,
		).toBe(409);
		const patched = await service.call(writer.key, 'PATCH', `/api/v1/library/assets/${created.body.id}`, {
			title: 'Temp 2',
			tags: ['holi'],
		});
		expect(patched.body).toMatchObject({ title: 'Temp 2', tags: ['holi'], content: { text: 'Temp body' } });
		expect((await service.call(writer.key, 'PATCH', `/api/v1/library/assets/${created.body.id}`, {})).status).toBe(422);

		const freeWriter = await userWithKey(db.pool, 'free', 'library:read,library:write');
		const premiumId = (await service.call(pro.key, 'GET', '/api/v1/library/assets?premium=true')).body.data[0].id;
		expect(
			(await service.call(freeWriter.key, 'PATCH', `/api/v1/library/assets/${premiumId}`, { title: 'hijack' })).status,
		).toBe(404);
		expect((await service.call(freeWriter.key, 'DELETE', `/api/v1/library/assets/${premiumId}`)).status).toBe(404);

		expect((await service.call(writer.key, 'DELETE', `/api/v1/library/assets/${created.body.id}`)).status).toBe(204);
		expect((await service.call(writer.key, 'GET', `/api/v1/library/assets/${created.body.id}`)).status).toBe(404);
	});

	it('rejects bad input with field-level 422 and non-JSON with 415', async () => {
		const bad = await service.call(writer.key, 'POST', '/api/v1/library/assets', { title: '', type: 'prompt' });
		expect(bad.status).toBe(422);
		expect(bad.body.error.details.map((d: { path: string }) => d.path)).toEqual(
			expect.arrayContaining(['title', 'content']),
		);
		const response = await fetch(`${service.url}/api/v1/library/assets`, {
			method: 'POST',
			headers: { authorization: `Bearer ${writer.key}`, 'content-type': 'text/plain' },
			body: 'hello',
		});
		expect(response.status).toBe(415);
		const broken = await fetch(`${service.url}/api/v1/library/assets`, {
			method: 'POST',
			headers: { authorization: `Bearer ${writer.key}`, 'content-type': 'application/json' },
			body: '{"title":',
		});
		expect(broken.status).toBe(400);
		expect((await service.call(pro.key, 'GET', '/api/v1/library/assets/not-a-uuid')).status).toBe(422);
	});
});

describe('OpenAPI', () => {
	it('documents every /api/v1 route the app serves, with its scope', async () => {
		const doc = (await (await fetch(`${service.url}/openapi.json`)).json()) as any;
		const documented = new Set<string>();
		for (const [path, item] of Object.entries<Record<string, unknown>>(doc.paths)) {
			for (const method of Object.keys(item)) documented.add(`${method.toUpperCase()} ${path}`);
		}
		const served: string[] = [];
		for (const layer of (
			service.api.router as unknown as { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> }
		).stack) {
			if (!layer.route) continue;
			for (const method of Object.keys(layer.route.methods))
				served.push(`${method.toUpperCase()} ${layer.route.path.replace(/:([A-Za-z_]+)/g, '{$1}')}`);
		}
		const expected = [
			'GET /api/v1/me',
			'GET /api/v1/library/assets',
			'POST /api/v1/library/assets',
			'GET /api/v1/library/assets/{id}',
			'PATCH /api/v1/library/assets/{id}',
			'DELETE /api/v1/library/assets/{id}',
			'GET /api/v1/contacts',
			'POST /api/v1/contacts',
			'PUT /api/v1/contacts/{id}',
			'GET /api/v1/contacts/{id}',
			'DELETE /api/v1/contacts/{id}',
			'POST /api/v1/contacts/{id}/consent',
			'POST /api/v1/campaigns',
			'GET /api/v1/campaigns/{id}',
			'POST /api/v1/campaigns/{id}/claim',
			'POST /api/v1/campaigns/{id}/results',
			'POST /api/v1/campaigns/{id}/pause',
			'POST /api/v1/campaigns/{id}/resume',
			'POST /api/v1/campaigns/{id}/cancel',
			'POST /api/v1/campaigns/{id}/release',
			'POST /api/v1/campaigns/{id}/fail',
			// The staff report page (HTML, authorised by its link): served, not part of the API document.
			'GET /reports/{token}',
			'GET /api/v1/subscriptions',
			'POST /api/v1/subscriptions',
			'DELETE /api/v1/subscriptions/{id}',
			'POST /api/v1/subscriptions/{id}/rotate-secret',
			'GET /api/v1/deliveries',
			'POST /api/v1/deliveries/{id}/replay',
			'POST /api/v1/send-budget/{phone_number_id}/lease',
			'POST /api/v1/send-budget/{phone_number_id}/pairs',
		];
		expect(served.sort()).toEqual([...expected].sort());
		for (const route of expected.filter((r) => r.includes('/api/v1/'))) expect(documented).toContain(route);
		const claim = doc.paths['/api/v1/campaigns/{id}/claim'].post;
		expect(claim['x-required-scope']).toBe('campaigns');
		expect(claim.requestBody.content['application/json'].schema.properties).toHaveProperty('limit');
		expect(claim.responses['200'].content['application/json'].schema.properties).toHaveProperty('data');
		const lease = doc.paths['/api/v1/send-budget/{phone_number_id}/lease'].post;
		expect(lease['x-required-scope']).toBe('send-budget');
		expect(lease.requestBody.content['application/json'].schema.properties).toHaveProperty('rate_per_second');
		expect(doc.paths['/api/v1/library/assets'].get.parameters.map((p: { name: string }) => p.name)).toEqual(
			expect.arrayContaining(['q', 'type', 'tag', 'premium', 'cursor', 'limit']),
		);
	});
});
