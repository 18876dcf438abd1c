// /api/v1/send-budget on real Postgres: the scope, field errors, what a lease and a pair reservation
// answer, and leases decided one after another under concurrent requests.
import type { TestDatabase } from '../../../test/helpers/postgres';
import { migratedDatabase, startApiService, userWithKey, type ApiService } from './helpers';

jest.setTimeout(60_000);

const PHONE = '106540352242922';
let db: TestDatabase;
let service: ApiService;
let key: string;

beforeAll(async () => {
	db = await migratedDatabase('api_send_budget');
	service = await startApiService(db.pool, { FANOUT_WORKER: 'false' });
	key = (await userWithKey(db.pool, 'free', 'send-budget')).key;
});

afterAll(async () => {
	await service.close();
	await db.drop();
});

const lease = (body: unknown, apiKey = key, phone = PHONE) =>
	service.call(apiKey, 'POST', `/api/v1/send-budget/${phone}/lease`, body);

describe('POST /api/v1/send-budget/{phone_number_id}/lease', () => {
	it('needs the send-budget scope', async () => {
		const other = (await userWithKey(db.pool, 'pro', 'campaigns,contacts')).key;
		const res = await lease({ want: 5, rate_per_second: 80 }, other);
		expect(res.status).toBe(403);
		expect(res.body.error).toMatchObject({ code: 'insufficient_scope', details: { required: 'send-budget' } });
	});

	it('names the field that is wrong', async () => {
		const res = await lease({ want: 0, rate_per_second: 80 });
		expect(res.status).toBe(422);
		expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'want' })]);
		expect((await lease({ want: 5, rate_per_second: 80 }, key, '+91 98')).body.error.details).toEqual([
			expect.objectContaining({ path: 'path.phone_number_id' }),
		]);
		expect((await lease({ want: 5, rate_per_second: 80, extra: 1 })).status).toBe(422);
	});

	it('grants a small batch spaced 1/rate apart, then nothing while the next second is taken', async () => {
		const phone = '1000000001';
		const first = await lease({ want: 500, rate_per_second: 20, campaign: 'c1' }, key, phone);
		expect(first.status).toBe(200);
		expect(first.body).toMatchObject({
			phone_number_id: phone,
			campaign: 'c1',
			granted: 20,
			interval_ms: 50,
			retry_after_ms: 0,
			held_ahead: 20,
			share_ahead: 20,
		});
		expect(first.body.lease_id).toMatch(/^[0-9a-f-]{36}$/);
		expect(Date.parse(first.body.expires_at)).toBeGreaterThan(Date.parse(first.body.not_before));
		// A second campaign is let in after the first's permits, with half the second as its share.
		const second = await lease({ want: 50, rate_per_second: 20, campaign: 'c2' }, key, phone);
		expect(second.body.share_ahead).toBe(10);
		expect(Date.parse(second.body.not_before)).toBeGreaterThanOrEqual(Date.parse(first.body.not_before) + 20 * 50 - 1);
	});

	it('grants nothing while the bucket is taken up to a second ahead, and says when to ask again', async () => {
		// At 0.5/s the next permit after one granted now is 2 s away: beyond the 1 s horizon.
		const phone = '1000000003';
		expect((await lease({ want: 5, rate_per_second: 0.5 }, key, phone)).body).toMatchObject({
			granted: 1,
			interval_ms: 2000,
		});
		const refused = await lease({ want: 5, rate_per_second: 0.5 }, key, phone);
		expect(refused.body).toMatchObject({ granted: 0, lease_id: null });
		expect(refused.body.retry_after_ms).toBeGreaterThan(0);
		expect(refused.body.retry_after_ms).toBeLessThanOrEqual(2000);
	});

	it('concurrent leases never overlap: every permit has its own slot', async () => {
		const phone = '1000000002';
		const answers = await Promise.all(
			Array.from({ length: 20 }, (_, i) =>
				lease({ want: 5, rate_per_second: 1000, campaign: `c${i % 4}` }, key, phone),
			),
		);
		expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
		const slots = answers.flatMap((a) =>
			Array.from(
				{ length: a.body.granted },
				(_, k) => Date.parse(a.body.not_before) * 1000 + k * a.body.interval_ms * 1000,
			),
		);
		const rows = await db.pool.query<{ first_us: string; granted: number; interval_us: string }>(
			'SELECT first_us, granted, interval_us FROM send_budget_leases WHERE phone_number_id = $1 ORDER BY first_us',
			[phone],
		);
		for (let i = 1; i < rows.rows.length; i++) {
			const previous = rows.rows[i - 1];
			expect(Number(rows.rows[i].first_us)).toBeGreaterThanOrEqual(
				Number(previous.first_us) + previous.granted * Number(previous.interval_us),
			);
		}
		expect(rows.rows.reduce((n, r) => n + r.granted, 0)).toBe(slots.length);
	});
});

describe('POST /api/v1/send-budget/{phone_number_id}/pairs', () => {
	it('gives each recipient its next slot, spaced by the pair rate (a repeated recipient gets two)', async () => {
		const first = await service.call(key, 'POST', `/api/v1/send-budget/${PHONE}/pairs`, {
			recipients: ['919800000001', '919800000002', '919800000001'],
		});
		expect(first.status).toBe(200);
		const [a1, b, a2] = first.body.data;
		expect(a1).toMatchObject({ recipient: '919800000001', wait_ms: 0 });
		expect(b).toMatchObject({ recipient: '919800000002', wait_ms: 0 });
		expect(a2.recipient).toBe('919800000001');
		expect(a2.wait_ms).toBeCloseTo(6000, 0);
		const again = await service.call(key, 'POST', `/api/v1/send-budget/${PHONE}/pairs`, {
			recipients: ['919800000002'],
			spacing_seconds: 2,
		});
		expect(Date.parse(again.body.data[0].not_before) - Date.parse(b.not_before)).toBeGreaterThanOrEqual(1999);
	});

	it('refuses an empty list and too many recipients, naming the field', async () => {
		const empty = await service.call(key, 'POST', `/api/v1/send-budget/${PHONE}/pairs`, { recipients: [] });
		expect(empty.status).toBe(422);
		expect(empty.body.error.details[0].path).toBe('recipients');
		const many = await service.call(key, 'POST', `/api/v1/send-budget/${PHONE}/pairs`, {
			recipients: Array(501).fill('1'),
		});
		expect(many.status).toBe(422);
	});
});
