// Property-based fuzzing of every /api/v1 route, from its own zod declaration: requests whose path
// parameters, query and body are generated from the route's schemas with one hostile part (text
// Postgres cannot store, deep nesting, huge numbers, wrong types, prototype keys, forged cursors).
// For every request: no 5xx, /healthz still answers, and a refused request wrote nothing (row counts
// of every table before and after). The signed routes (Meta webhook, bundle ingestion) get the same
// treatment. Seeded and bounded: RUNS_PER_ROUTE runs per route (FUZZ_SEED / FUZZ_RUNS explore further).
import fc from 'fast-check';
import type { Pool } from 'pg';
import type { TestDatabase } from '../../../test/helpers/postgres';
import { createApiModule } from '../../src/api';
import { bundleSchema } from '../../src/core/bundle';
import { jsonSchema } from '../../src/openapi';
import {
	encode,
	forgedCursor,
	fromSchema,
	hostileFor,
	hostileString,
	hostileValue,
	hugeNumber,
	type Schema,
} from '../support/hostile';
import { migratedDatabase, settings, startApiService, userWithKey, whatsappWebhook, type ApiService } from './helpers';

jest.setTimeout(60_000);

const RUNS_PER_ROUTE = Number(process.env.FUZZ_RUNS ?? 30);
const SEED = Number(process.env.FUZZ_SEED ?? 20261130);
// The declarations only (no database is touched to build them).
const ROUTES = createApiModule({ pool: {} as Pool, settings: settings({ FANOUT_WORKER: 'false' }) }).routes;
const TABLES = [
	'contacts',
	'consent_events',
	'library_assets',
	'campaigns',
	'campaign_recipients',
	'subscriptions',
	'deliveries',
	'events',
	'users',
	'api_keys',
	'send_budgets',
	'send_budget_leases',
	'send_pair_slots',
];

let db: TestDatabase;
let service: ApiService;
let keys: string[];
/** Real values for path parameters, so some requests get past the lookup. */
const known: Record<string, string[]> = { id: [], wa_id: [], phone_number_id: ['106540352242922'] };

async function counts(): Promise<Record<string, number>> {
	const { rows } = await db.pool.query(
		`SELECT ${TABLES.map((t) => `(SELECT count(*)::int FROM ${t}) AS ${t}`).join(', ')}`,
	);
	return rows[0];
}

beforeAll(async () => {
	db = await migratedDatabase('api_fuzz');
	service = await startApiService(db.pool, { FANOUT_WORKER: 'false' });
	const pro = await userWithKey(db.pool, 'pro', 'library:read,library:write,contacts,campaigns,events,send-budget');
	const free = await userWithKey(db.pool, 'free', 'library:read,library:write,contacts,campaigns,events,send-budget');
	keys = [pro.key, free.key];
	const call = (path: string, body: unknown, method = 'POST') => service.call(pro.key, method, path, body);
	known.wa_id.push('447900000001', '+44 7900 000002');
	await call('/api/v1/contacts', {
		contacts: known.wa_id.map((wa_id) => ({ wa_id, tags: ['fuzz'], consent: 'opted_in' })),
	});
	known.id.push((await call('/api/v1/library/assets', { title: 'Free', type: 'prompt', content: { a: 1 } })).body.id);
	known.id.push(
		(await call('/api/v1/library/assets', { title: 'Premium', type: 'prompt', content: 'p', is_premium: true })).body
			.id,
	);
	const campaign = (
		await call('/api/v1/campaigns', {
			name: 'Fuzz',
			template: { name: 't', language: 'en' },
			audience: { tags: ['fuzz'] },
		})
	).body.id;
	known.id.push(campaign);
	await call(`/api/v1/campaigns/${campaign}/claim`, { limit: 1 });
	known.id.push((await call('/api/v1/subscriptions', { url: 'http://127.0.0.1:9/hook', event_types: ['*'] })).body.id);
	await service.postMeta(
		JSON.stringify({
			object: 'whatsapp_business_account',
			entry: [{ id: '1', changes: [{ field: 'messages', value: { statuses: [] } }] }],
		}),
	);
	const delivery = await db.pool.query<{ id: string }>('SELECT id FROM deliveries LIMIT 1');
	known.id.push(...delivery.rows.map((r) => r.id));
});

afterAll(async () => {
	await service.close();
	await db.drop();
});

interface HostileRequest {
	path: string;
	key: string;
	body?: string;
	contentType?: string;
}

function requestFor(route: (typeof ROUTES)[number]): fc.Arbitrary<HostileRequest> {
	const params = (route.path.match(/:([A-Za-z_]+)/g) ?? []).map((p) => p.slice(1));
	const paramSchema = (route.params ? jsonSchema(route.params, 'input') : {}) as Schema;
	const pathArb = fc.tuple(
		...params.map((name) =>
			fc.oneof(
				{ weight: 3, arbitrary: fc.constantFrom(...(known[name] ?? ['x'])) },
				fromSchema(paramSchema.properties?.[name] ?? {}).map(String),
				hostileString,
			),
		),
	);
	const querySchema = (route.query ? jsonSchema(route.query, 'input') : { properties: {} }) as Schema;
	const queryArb = fc.record(
		Object.fromEntries(
			Object.entries(querySchema.properties ?? {}).map(([name, property]) => [
				name,
				name === 'cursor'
					? forgedCursor
					: fc.oneof(
							{ weight: 4, arbitrary: fromSchema(property).map(String) },
							hostileString,
							fc.array(hostileString, { minLength: 2, maxLength: 2 }),
						),
			]),
		),
		{ requiredKeys: [] },
	);
	const bodyArb: fc.Arbitrary<{ body?: string; contentType?: string }> = route.body
		? fc.oneof(
				{
					weight: 6,
					arbitrary: hostileFor(jsonSchema(route.body, 'input') as Schema).map((value) => ({
						body: JSON.stringify(value) ?? 'null',
						contentType: 'application/json',
					})),
				},
				hostileValue.map((value) => ({ body: JSON.stringify(value) ?? 'null', contentType: 'application/json' })),
				fc.constantFrom(
					{ body: '{"a":', contentType: 'application/json' },
					{ body: '{}', contentType: 'text/plain' },
					{ body: '', contentType: 'application/json' },
				),
			)
		: fc.constant({});
	return fc
		.record({ segments: pathArb, query: queryArb, body: bodyArb, key: fc.constantFrom(...keys) })
		.map(({ segments, query, body, key }) => {
			let i = 0;
			const path = route.path.replace(/:([A-Za-z_]+)/g, () => encode(String(segments[i++])));
			const search = Object.entries(query)
				.flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((v) => `${name}=${encode(String(v))}`))
				.join('&');
			return { path: search ? `${path}?${search}` : path, key, ...body };
		});
}

describe('fuzzing every /api/v1 route from its zod declaration', () => {
	const answered: Record<string, Record<number, number>> = {};

	afterAll(() => {
		// What the fuzzer reached, per route: status → count (shown in the test output).
		console.log(`fuzz: ${ROUTES.length} routes × ${RUNS_PER_ROUTE} runs\n${JSON.stringify(answered, null, 1)}`);
	});

	it.each(ROUTES.map((route) => [`${route.method.toUpperCase()} ${route.path}`, route] as const))(
		'%s: no 5xx, still healthy, nothing written when refused',
		async (name, route) => {
			answered[name] = {};
			await fc.assert(
				fc.asyncProperty(requestFor(route), async (request) => {
					const before = await counts();
					const res = await fetch(`${service.url}${request.path}`, {
						method: route.method.toUpperCase(),
						headers: {
							authorization: `Bearer ${request.key}`,
							...(request.contentType ? { 'content-type': request.contentType } : {}),
						},
						body: request.body,
					});
					const text = await res.text();
					answered[name][res.status] = (answered[name][res.status] ?? 0) + 1;
					expect({ status: res.status < 500 ? 'not 5xx' : res.status, text: res.status < 500 ? '' : text }).toEqual({
						status: 'not 5xx',
						text: '',
					});
					expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
					if (res.status >= 400) expect(await counts()).toEqual(before);
				}),
				{ seed: SEED, numRuns: RUNS_PER_ROUTE, endOnFailure: true },
			);
		},
	);
});

// The signed routes: what Meta or the bundle sender signs is still input. A Meta webhook is stored
// whatever its numbers and ids (Meta retries anything but a 2xx, forever); a bundle is validated.
const longId = fc
	.uint8Array({ minLength: 2100, maxLength: 2400 })
	.map((bytes) => `wamid.${Buffer.from(bytes).toString('base64')}`);
const metaId = fc.oneof(fc.uuid(), hostileString, longId);
const metaTimestamp = fc.oneof(
	fc.constantFrom('1700000000', '99999999999999999999', '-1', 'abc', '1e400'),
	hugeNumber,
	fc.integer(),
);
const metaStatus = fc.record({
	id: metaId,
	status: fc.oneof(fc.constantFrom('sent', 'delivered', 'read', 'failed'), hostileString),
	timestamp: metaTimestamp,
	recipient_id: fc.oneof(fc.constant('447900000001'), hostileString),
	errors: fc.array(
		fc.record({
			code: fc.oneof(hugeNumber, hostileString, fc.double(), fc.integer()),
			title: fc.oneof(hostileString, fc.jsonValue()),
			error_data: fc.record({ details: fc.oneof(hostileString, hugeNumber, fc.jsonValue({ maxDepth: 3 })) }),
		}),
		{ maxLength: 2 },
	),
});
const metaMessage = fc.record({
	from: fc.oneof(fc.constant('447900000001'), hostileString),
	id: metaId,
	timestamp: metaTimestamp,
	type: fc.constant('text'),
	text: fc.record({ body: fc.oneof(fc.constantFrom('STOP', 'START'), hostileString) }),
});
const metaBody = fc
	.record({
		statuses: fc.array(metaStatus, { maxLength: 3 }),
		messages: fc.array(metaMessage, { maxLength: 2 }),
		name: hostileString,
	})
	.map(({ statuses, messages, name }) =>
		whatsappWebhook({ statuses, messages, contacts: [{ wa_id: '447900000001', profile: { name } }] }),
	);

describe('fuzzing the signed routes', () => {
	it('POST /webhooks/meta: a signed payload is stored whatever its numbers, ids and text (never a 5xx)', async () => {
		await fc.assert(
			fc.asyncProperty(metaBody, async (body) => {
				const before = await counts();
				const res = await service.postMeta(body);
				const text = await res.text();
				expect({ status: res.status, text: res.status === 200 ? '' : text }).toEqual({ status: 200, text: '' });
				expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
				// A redelivery is answered 200 and stores nothing new.
				const after = await counts();
				expect((await service.postMeta(body)).status).toBe(200);
				expect(await counts()).toEqual(after);
				expect(after.events).toBeGreaterThanOrEqual(before.events);
			}),
			{ seed: SEED, numRuns: RUNS_PER_ROUTE, endOnFailure: true },
		);
	});

	it('POST /api/v1/ingest-bundle: no 5xx, and a refused bundle writes nothing', async () => {
		await fc.assert(
			fc.asyncProperty(hostileFor(jsonSchema(bundleSchema, 'input') as Schema), async (bundle) => {
				const before = await counts();
				const res = await service.postBundle(JSON.stringify(bundle) ?? 'null');
				const text = await res.text();
				expect({ status: res.status < 500 ? 'not 5xx' : res.status, text: res.status < 500 ? '' : text }).toEqual({
					status: 'not 5xx',
					text: '',
				});
				expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
				if (res.status >= 400) expect(await counts()).toEqual(before);
			}),
			{ seed: SEED, numRuns: RUNS_PER_ROUTE, endOnFailure: true },
		);
	});
});
