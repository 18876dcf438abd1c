// What a person reads when a request is refused: each field named, the form expected, and the kind
// (and for harmless short values, the value) of what was received.
import type { TestDatabase } from '../../../test/helpers/postgres';
import { migratedDatabase, startApiService, userWithKey, type ApiService } from './helpers';

jest.setTimeout(30_000);

let db: TestDatabase;
let service: ApiService;
let key: string;

beforeAll(async () => {
	db = await migratedDatabase('api_validation_messages');
	service = await startApiService(db.pool);
	key = (await userWithKey(db.pool, 'pro', 'library:read,library:write,contacts,campaigns,events')).key;
});

afterAll(async () => {
	await service.close();
	await db.drop();
});

const details = async (method: string, path: string, body?: unknown) => {
	const res = await service.call(key, method, path, body);
	expect(res.status).toBe(422);
	return Object.fromEntries(
		(res.body.error.details as Array<{ path: string; message: string }>).map((d) => [d.path, d.message]),
	);
};

describe('validation messages', () => {
	it('query numbers: a whole number expected, the text received', async () => {
		expect(await details('GET', '/api/v1/library/assets?limit=abc')).toEqual({
			'query.limit': "expected a whole number, received the text 'abc'",
		});
		expect(await details('GET', '/api/v1/contacts?limit=2.5')).toEqual({
			'query.limit': "expected a whole number, received the text '2.5'",
		});
		expect(await details('GET', '/api/v1/contacts?limit=0')).toEqual({
			'query.limit': "expected at least 1, received the text '0'",
		});
	});

	it('content: text or an object expected', async () => {
		expect(await details('POST', '/api/v1/library/assets', { title: 'Caption', type: 'caption', content: 5 })).toEqual({
			content: 'expected text or an object, received the whole number 5',
		});
		expect(await details('POST', '/api/v1/library/assets', { title: 'Caption', type: 'poem', content: 'x' })).toEqual({
			type: expect.stringMatching(/^expected one of "[a-z_]+"(, "[a-z_]+")*, received the text 'poem'$/),
		});
	});

	it('missing, too long, wrong kind and unknown fields of a campaign', async () => {
		const messages = await details('POST', '/api/v1/campaigns', {
			template: { name: 'x'.repeat(600), language: 5 },
			parameters: 'Asha',
			extra: true,
		});
		expect(messages).toMatchObject({
			name: 'expected text, received nothing',
			'template.name':
				"expected at most 512 characters, received the text 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…' (600 characters)",
			'template.language': 'expected text, received the whole number 5',
			parameters: "expected a list, received the text 'Asha'",
		});
		expect(Object.values(messages).join(' ')).toMatch(/extra/);
		expect((await details('GET', '/api/v1/campaigns/not-a-uuid'))['path.id']).toBe(
			"must be a UUID, received the text 'not-a-uuid'",
		);
	});

	it('never echoes a secret it refuses', async () => {
		const messages = await details('POST', '/api/v1/subscriptions', {
			url: 'https://example.com/hook',
			event_types: ['*'],
			secret: 'whsec_tooshort-but-secret',
		});
		expect(messages.secret).toMatch(/received text of 25 characters$/);
		expect(messages.secret).not.toContain('tooshort');
	});
});
