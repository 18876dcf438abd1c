// A 1,000-request duplicate storm (Meta redelivering, several deliveries racing): every request is
// answered 200 and exactly one row exists per event.
import type { TestDatabase } from '../../test/helpers/postgres';
import { count, migratedDatabase, startService, type TestService } from './helpers';
import { whatsappWebhook } from './api/helpers';

function statusPayload(wamid: string, statuses: string[]): Buffer {
	return Buffer.from(
		whatsappWebhook({
			statuses: statuses.map((status, i) => ({
				id: wamid,
				status,
				timestamp: String(1750000000 + i),
				recipient_id: '919800000001',
			})),
		}),
	);
}

async function inParallel<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
	let next = 0;
	await Promise.all(
		Array.from({ length: limit }, async () => {
			while (next < items.length) await fn(items[next++]);
		}),
	);
}

describe('duplicate storm', () => {
	let db: TestDatabase;
	let service: TestService;
	beforeAll(async () => {
		db = await migratedDatabase('storm');
		service = await startService(db.pool);
	});
	afterAll(async () => {
		await service.close();
		await db.drop();
	});

	it('stores each of 1,000 racing deliveries’ events exactly once', async () => {
		// 20 wamids; each is delivered as "sent", as "delivered", and as one batched body holding both,
		// so different bodies carry the same events. 1,000 requests in all, 100 in flight.
		const bodies: Buffer[] = [];
		for (let i = 0; i < 20; i++) {
			const wamid = `wamid.storm${i}`;
			bodies.push(
				statusPayload(wamid, ['sent']),
				statusPayload(wamid, ['delivered']),
				statusPayload(wamid, ['sent', 'delivered']),
			);
		}
		const requests = Array.from({ length: 1000 }, (_, i) => bodies[(i * 7) % bodies.length]);
		const statuses = new Map<number, number>();
		await inParallel(requests, 100, async (body) => {
			const res = await service.postMeta(body);
			await res.arrayBuffer();
			statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
		});
		expect(Object.fromEntries(statuses)).toEqual({ 200: 1000 });
		expect(await count(db.pool, "SELECT * FROM events WHERE dedupe_key LIKE 'wa.status:wamid.storm%'")).toBe(40);
		expect(await count(db.pool, 'SELECT dedupe_key FROM events GROUP BY dedupe_key HAVING count(*) > 1')).toBe(0);
		expect(await count(db.pool, 'SELECT * FROM webhook_payloads')).toBe(bodies.length);
		const metrics = await (await fetch(`${service.url}/metrics`)).text();
		const duplicates = Number(/events_duplicate_total\{source="meta"\} (\d+)/.exec(metrics)?.[1]);
		// Every event carried by the 1,000 requests is either one of the 40 new ones or a duplicate.
		const carried = requests.reduce(
			(sum, body) => sum + (JSON.parse(body.toString()).entry[0].changes[0].value.statuses.length as number),
			0,
		);
		expect(duplicates).toBe(carried - 40);
	});
});
