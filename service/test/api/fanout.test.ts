// Event fan-out: subscriptions, signed deliveries through the durable outbox, retries while a
// subscriber is down (every event exactly once after it comes back, deduplicated by webhook-id),
// dead letters and replay, and two service instances sharing one outbox.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestDatabase } from '../../../test/helpers/postgres';
import { signMetaBody } from '../../src/core/meta-signature';
import { verify } from '../../src/core/standard-webhooks';
import {
	inboundMessages,
	migratedDatabase,
	startApiService,
	statusUpdate,
	userWithKey,
	wamid,
	type ApiService,
} from './helpers';

interface Subscriber {
	url: string;
	/** Answer with this status (200 = up). */
	status: number;
	/** Answer after this many ms. */
	delayMs: number;
	/** Requests being answered now, and the most at any time. */
	active: number;
	maxActive: number;
	/** webhook-id → processed body (the subscriber's own deduplication). */
	processed: Map<string, { type: string; data: any }>;
	/** Every request that arrived, verified or not. */
	received: Array<{ id: string; verified: boolean }>;
	secret?: string;
	close(): Promise<void>;
}

// Every subscriber server, closed in afterAll even when a test failed half-way.
const servers: Server[] = [];

async function subscriber(): Promise<Subscriber> {
	const state: Omit<Subscriber, 'url' | 'close'> = {
		status: 200,
		delayMs: 0,
		active: 0,
		maxActive: 0,
		processed: new Map(),
		received: [],
	};
	const server: Server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		state.active++;
		state.maxActive = Math.max(state.maxActive, state.active);
		res.on('close', () => state.active--);
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', async () => {
			if (state.delayMs > 0) await new Promise((r) => setTimeout(r, state.delayMs));
			const body = Buffer.concat(chunks);
			const id = String(req.headers['webhook-id']);
			let verified = false;
			try {
				verify(
					body,
					{
						'webhook-id': id,
						'webhook-timestamp': String(req.headers['webhook-timestamp']),
						'webhook-signature': String(req.headers['webhook-signature']),
					},
					[state.secret!],
					{ nowSeconds: Math.floor(Date.now() / 1000) },
				);
				verified = true;
			} catch {
				verified = false;
			}
			state.received.push({ id, verified });
			if (!verified) {
				res.writeHead(401).end();
				return;
			}
			if (state.status !== 200) {
				res.writeHead(state.status).end();
				return;
			}
			if (!state.processed.has(id)) state.processed.set(id, JSON.parse(body.toString('utf8')));
			res.writeHead(200).end('ok');
		});
	});
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
	servers.push(server);
	return Object.assign(state, {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
		close: () => closeServer(server),
	}) as Subscriber;
}

function closeServer(server: Server): Promise<void> {
	if (!server.listening) return Promise.resolve();
	return new Promise<void>((r) => {
		server.close(() => r());
		server.closeAllConnections();
	});
}

async function until(what: string, check: () => Promise<boolean> | boolean, limitMs = 20_000): Promise<void> {
	const end = Date.now() + limitMs;
	while (!(await check())) {
		if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
		await new Promise((r) => setTimeout(r, 25));
	}
}

jest.setTimeout(60_000);

let db: TestDatabase;
let service: ApiService;
let key: string;
let other: string;

beforeAll(async () => {
	db = await migratedDatabase('api_fanout');
	service = await startApiService(db.pool, {
		FANOUT_RETRY_SCHEDULE: '0,50ms,100ms,200ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms',
	});
	await service.api.worker!.start();
	key = (await userWithKey(db.pool, 'free', 'events')).key;
	other = (await userWithKey(db.pool, 'free', 'events')).key;
});

afterAll(async () => {
	await Promise.all(servers.map(closeServer));
	await service.close();
	await db.drop();
});

async function subscribe(sub: Subscriber, eventTypes: string[], apiKey = key): Promise<string> {
	const created = await service.call(apiKey, 'POST', '/api/v1/subscriptions', {
		url: sub.url,
		event_types: eventTypes,
		description: 'test',
	});
	expect(created.status).toBe(201);
	expect(created.body.secret).toMatch(/^whsec_/);
	sub.secret = created.body.secret;
	return created.body.id;
}

describe('subscriptions', () => {
	it('creates, lists (without secrets, per user), deletes; stores the secret encrypted', async () => {
		const sub = await subscriber();
		const id = await subscribe(sub, ['whatsapp.message', 'contact.opted_out']);
		const list = await service.call(key, 'GET', '/api/v1/subscriptions');
		expect(list.body).toEqual({
			data: [expect.objectContaining({ id, url: sub.url, event_types: ['whatsapp.message', 'contact.opted_out'] })],
			next_cursor: null,
		});
		expect(JSON.stringify(list.body)).not.toContain(sub.secret);
		expect((await service.call(other, 'GET', '/api/v1/subscriptions')).body.data).toEqual([]);
		expect((await service.call(other, 'DELETE', `/api/v1/subscriptions/${id}`)).status).toBe(404);
		const stored = await db.pool.query('SELECT secret_sealed FROM subscriptions WHERE id = $1', [id]);
		expect(stored.rows[0].secret_sealed).toMatch(/^v1\.t1\./);
		expect(stored.rows[0].secret_sealed).not.toContain(sub.secret!.slice(6, 20));
		expect((await service.call(key, 'DELETE', `/api/v1/subscriptions/${id}`)).status).toBe(204);
		expect((await service.call(key, 'GET', '/api/v1/subscriptions')).body.data).toEqual([]);
		expect(
			(await service.call(key, 'POST', '/api/v1/subscriptions', { url: 'ftp://x', event_types: ['nope'] })).status,
		).toBe(422);
		await sub.close();
	});

	it('delivers each matching event signed, with the event as {type, timestamp, data}', async () => {
		const sub = await subscriber();
		const id = await subscribe(sub, ['whatsapp.message', 'contact.opted_out']);
		const from = '919811100001';
		const messageId = wamid();
		await service.postMeta(inboundMessages([{ from, id: messageId, text: 'STOP' }]));
		await until('two deliveries', () => sub.processed.size === 2);
		// The worker records outcomes right after the answer; wait for that too.
		await until('outcomes recorded', async () => {
			const { rows } = await db.pool.query(
				`SELECT count(*)::int AS n FROM deliveries WHERE subscription_id = $1 AND status = 'succeeded'`,
				[id],
			);
			return rows[0].n === 2;
		});
		const bodies = [...sub.processed.values()];
		expect(bodies.map((b) => b.type).sort()).toEqual(['contact.opted_out', 'whatsapp.message']);
		expect(bodies.find((b) => b.type === 'whatsapp.message')!.data).toMatchObject({
			wamid: messageId,
			from,
			text: 'STOP',
		});
		expect(bodies.find((b) => b.type === 'contact.opted_out')!.data).toMatchObject({
			wa_id: from,
			consent: 'opted_out',
			message_id: messageId,
		});
		expect(sub.received.every((r) => r.verified)).toBe(true);
		const deliveries = await service.call(key, 'GET', `/api/v1/deliveries?subscription_id=${id}`);
		expect(deliveries.body.data).toHaveLength(2);
		for (const d of deliveries.body.data) {
			expect(d).toMatchObject({ status: 'succeeded', attempts: 1, last_status_code: 200 });
			expect(sub.processed.has(d.webhook_id)).toBe(true);
		}
		expect((await service.call(other, 'GET', '/api/v1/deliveries')).body.data).toEqual([]);
		await service.call(key, 'DELETE', `/api/v1/subscriptions/${id}`);
		await sub.close();
	});

	it('forwards ingested bundles (library.bundle_ingested) and only the subscribed types', async () => {
		const sub = await subscriber();
		const id = await subscribe(sub, ['library.bundle_ingested']);
		const bundle = JSON.stringify({
			bundle_id: 'b-42',
			assets: [{ slug: 'fanout/a', type: 'prompt', title: 'A', content: 'x' }],
		});
		expect((await service.postBundle(bundle)).status).toBe(200);
		await service.postMeta(inboundMessages([{ from: '919811100002', id: wamid(), text: 'not for this subscriber' }]));
		await until('bundle event', () => sub.processed.size === 1);
		const [event] = [...sub.processed.values()];
		expect(event.type).toBe('library.bundle_ingested');
		expect(JSON.stringify(event.data)).toContain('b-42');
		await service.call(key, 'DELETE', `/api/v1/subscriptions/${id}`);
		expect(sub.received.map((r) => r.id)).toHaveLength(1);
		await sub.close();
	});

	it('a subscriber down for a while receives every event exactly once after it comes back', async () => {
		const sub = await subscriber();
		const id = await subscribe(sub, ['whatsapp.message']);
		sub.status = 503;
		const sent: string[] = [];
		for (let batch = 0; batch < 5; batch++) {
			const messages = Array.from({ length: 8 }, (_, i) => ({
				from: `9198111${String(batch * 10 + i).padStart(5, '0')}`,
				id: wamid(),
				text: `hello ${batch}.${i}`,
			}));
			sent.push(...messages.map((m) => m.id));
			expect((await service.postMeta(inboundMessages(messages))).status).toBe(200);
		}
		// Every event is tried (and refused) while the subscriber is down.
		await until('every event attempted while down', () => new Set(sub.received.map((r) => r.id)).size === 40);
		expect(sub.processed.size).toBe(0);
		sub.status = 200;
		await until('all 40 events processed', () => sub.processed.size === 40);
		await until('all deliveries succeeded', async () => {
			const { rows } = await db.pool.query(
				`SELECT count(*)::int AS n FROM deliveries WHERE subscription_id = $1 AND status = 'succeeded'`,
				[id],
			);
			return rows[0].n === 40;
		});
		const wamids = [...sub.processed.values()].map((b) => b.data.wamid).sort();
		expect(wamids).toEqual([...sent].sort());
		const { rows } = await db.pool.query(
			`SELECT min(attempts) AS min, count(*)::int AS n FROM deliveries WHERE subscription_id = $1`,
			[id],
		);
		expect(rows[0].n).toBe(40);
		expect(rows[0].min).toBeGreaterThan(1);
		// Retries arrived more than once per event; the subscriber processed each webhook-id once.
		expect(sub.received.length).toBeGreaterThan(40);
		await service.call(key, 'DELETE', `/api/v1/subscriptions/${id}`);
		await sub.close();
	});

	it('dead-letters after the schedule, and a replay delivers it with the same webhook-id', async () => {
		const deadService = await startApiService(db.pool, { FANOUT_RETRY_SCHEDULE: '0,20ms' });
		await deadService.api.worker!.start();
		// The main service's worker shares the outbox; pause it so the short schedule applies.
		await service.api.worker!.stop();
		try {
			const sub = await subscriber();
			const id = await subscribe(sub, ['whatsapp.message']);
			sub.status = 500;
			await service.postMeta(inboundMessages([{ from: '919811199999', id: wamid(), text: 'hi' }]));
			await until('dead letter', async () => {
				const list = await service.call(key, 'GET', `/api/v1/deliveries?subscription_id=${id}&status=dead`);
				return list.body.data.length === 1;
			});
			const dead = (await service.call(key, 'GET', `/api/v1/deliveries?subscription_id=${id}`)).body.data[0];
			expect(dead).toMatchObject({
				status: 'dead',
				attempts: 2,
				last_status_code: 500,
				last_error: 'HTTP 500',
				next_attempt_at: null,
			});
			sub.status = 200;
			const replay = await service.call(key, 'POST', `/api/v1/deliveries/${dead.id}/replay`);
			expect(replay.status).toBe(202);
			expect(replay.body).toMatchObject({ id: dead.id, status: 'pending', attempts: 0 });
			await until('replayed', () => sub.processed.size === 1);
			expect([...sub.processed.keys()]).toEqual([dead.webhook_id]);
			expect((await service.call(other, 'POST', `/api/v1/deliveries/${dead.id}/replay`)).status).toBe(404);
			await service.call(key, 'DELETE', `/api/v1/subscriptions/${id}`);
			expect((await service.call(key, 'POST', `/api/v1/deliveries/${dead.id}/replay`)).status).toBe(409);
			await sub.close();

			// A subscriber that is not listening at all: the network error is the recorded reason.
			const gone = await subscriber();
			await gone.close();
			const goneId = await subscribe(gone, ['whatsapp.message']);
			await service.postMeta(inboundMessages([{ from: '919811199998', id: wamid(), text: 'hi' }]));
			await until('dead letter of the closed port', async () => {
				const list = await service.call(key, 'GET', `/api/v1/deliveries?subscription_id=${goneId}&status=dead`);
				return list.body.data.length === 1;
			});
			const refused = (await service.call(key, 'GET', `/api/v1/deliveries?subscription_id=${goneId}`)).body.data[0];
			expect(refused).toMatchObject({
				status: 'dead',
				attempts: 2,
				last_status_code: null,
				last_error: 'ECONNREFUSED',
			});
			await service.call(key, 'DELETE', `/api/v1/subscriptions/${goneId}`);
		} finally {
			await deadService.close();
			await service.api.worker!.start();
		}
	});

	it('two service instances share the outbox: each delivery is sent once', async () => {
		const second = await startApiService(db.pool);
		await second.api.worker!.start();
		try {
			const sub = await subscriber();
			const id = await subscribe(sub, ['*']);
			const payloads = Array.from({ length: 20 }, (_, batch) =>
				inboundMessages(
					Array.from({ length: 5 }, (_, i) => ({
						from: `9198122${String(batch * 10 + i).padStart(5, '0')}`,
						id: wamid(),
						text: 'x',
					})),
				),
			);
			await Promise.all(payloads.map((p, i) => (i % 2 ? second : service).postMeta(p)));
			await until('100 events processed', () => sub.processed.size === 100);
			await until('all deliveries recorded', async () => {
				const { rows } = await db.pool.query(
					`SELECT count(*)::int AS n FROM deliveries WHERE subscription_id = $1 AND status = 'succeeded'`,
					[id],
				);
				return rows[0].n === 100;
			});
			expect(sub.received).toHaveLength(100);
			expect(new Set(sub.received.map((r) => r.id)).size).toBe(100);
			await service.call(key, 'DELETE', `/api/v1/subscriptions/${id}`);
			await sub.close();
		} finally {
			await second.close();
		}
	});
});

// The instance that stores an event sends its deliveries as soon as the transaction commits (they are
// inserted already leased to its worker) while its worker has room; the rest wait in the outbox.
describe('deliveries sent by the instance that stored the event', () => {
	const succeeded = async (subscriptionId: string) =>
		(
			await db.pool.query<{ n: number; at_once: number; max_attempts: number }>(
				`SELECT count(*) FILTER (WHERE status = 'succeeded')::int AS n,
				   count(*) FILTER (WHERE last_attempt_at = created_at)::int AS at_once, max(attempts) AS max_attempts
				 FROM deliveries WHERE subscription_id = $1`,
				[subscriptionId],
			)
		).rows[0];

	/** Runs `test` with `other` as the only instance delivering (the shared service's worker paused). */
	async function alone(other: ApiService, test: () => Promise<void>): Promise<void> {
		await service.api.worker!.stop();
		await other.api.worker!.start();
		try {
			await test();
		} finally {
			await other.close();
			await service.api.worker!.start();
		}
	}

	it('more deliveries than the worker has room for: the rest wait in the outbox; each arrives once, never more at a time than FANOUT_CONCURRENCY', async () => {
		const narrow = await startApiService(db.pool, { FANOUT_CONCURRENCY: '2' });
		await alone(narrow, async () => {
			const sub = await subscriber();
			sub.delayMs = 100;
			const id = await subscribe(sub, ['whatsapp.message']);
			const messages = Array.from({ length: 12 }, (_, i) => ({
				from: `9198133${String(i).padStart(5, '0')}`,
				id: wamid(),
				text: 'x',
			}));
			expect((await narrow.postMeta(inboundMessages(messages))).status).toBe(200);
			await until('12 events processed', () => sub.processed.size === 12);
			await until('12 outcomes recorded', async () => (await succeeded(id)).n === 12);
			expect(sub.received).toHaveLength(12);
			expect(sub.maxActive).toBeLessThanOrEqual(2);
			const figures = await succeeded(id);
			// Some went out at once (sent on commit, no lease), at most as many as there were slots.
			expect(figures.at_once).toBeGreaterThan(0);
			expect(figures.at_once).toBeLessThanOrEqual(2);
			expect(figures.max_attempts).toBe(1);
			await service.call(key, 'DELETE', `/api/v1/subscriptions/${id}`);
			await sub.close();
		});
	});

	it('a webhook whose storing failed sends nothing; its redelivery is sent once, and later ones too', async () => {
		let failures = 1;
		const flaky = await startApiService(db.pool, {}, [
			async () => {
				if (failures-- > 0) throw new Error('a later hook failed');
			},
		]);
		await alone(flaky, async () => {
			const sub = await subscriber();
			const id = await subscribe(sub, ['whatsapp.message']);
			const body = inboundMessages([{ from: '919813300100', id: wamid(), text: 'hi' }]);
			expect((await flaky.postMeta(body)).status).toBeGreaterThanOrEqual(500);
			await new Promise((r) => setTimeout(r, 300));
			expect(sub.received).toHaveLength(0);
			expect((await succeeded(id)).n).toBe(0);
			expect((await flaky.postMeta(body)).status).toBe(200);
			// Every slot the failed transaction held is free again: this and the next ones are sent.
			for (let i = 0; i < 40; i++)
				expect(
					(
						await flaky.postMeta(
							inboundMessages([{ from: `9198134${String(i).padStart(5, '0')}`, id: wamid(), text: 'x' }]),
						)
					).status,
				).toBe(200);
			await until('41 events processed', () => sub.processed.size === 41);
			await until('41 outcomes recorded', async () => (await succeeded(id)).n === 41);
			expect(sub.received).toHaveLength(41);
			await service.call(key, 'DELETE', `/api/v1/subscriptions/${id}`);
			await sub.close();
		});
	});

	// Status webhooks have nothing for the people (contacts, consent): the event store writes each batch
	// of them with its deliveries in one statement, without a transaction around it.
	it('status webhooks stored in one statement: each status is sent at once and once; a redelivery sends nothing more', async () => {
		const sub = await subscriber();
		const id = await subscribe(sub, ['whatsapp.status']);
		const bodies = Array.from({ length: 6 }, (_, i) =>
			statusUpdate([
				{ wamid: wamid(), status: 'delivered', recipient: `9198135${String(i).padStart(5, '0')}` },
				{ wamid: wamid(), status: 'read', recipient: `9198136${String(i).padStart(5, '0')}` },
			]),
		);
		for (const answer of await Promise.all(bodies.map((body) => service.postMeta(body))))
			expect(answer.status).toBe(200);
		await until('12 statuses processed', () => sub.processed.size === 12);
		await until('12 outcomes recorded', async () => (await succeeded(id)).n === 12);
		expect((await succeeded(id)).at_once).toBeGreaterThan(0);
		expect([...sub.processed.values()].every((event) => event.type === 'whatsapp.status')).toBe(true);
		for (const body of bodies) expect((await service.postMeta(body)).status).toBe(200);
		await new Promise((r) => setTimeout(r, 300));
		expect(sub.received).toHaveLength(12);
		const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM deliveries WHERE subscription_id = $1', [id]);
		expect(rows[0].n).toBe(12);
		await service.call(key, 'DELETE', `/api/v1/subscriptions/${id}`);
		await sub.close();
	});

	it('a status webhook whose one-statement write failed is answered 5xx and sends nothing; its redelivery is sent once', async () => {
		const narrow = await startApiService(db.pool, { FANOUT_CONCURRENCY: '2' });
		await alone(narrow, () => failedStatusWrite(narrow));
	});

	async function failedStatusWrite(instance: ApiService): Promise<void> {
		const sub = await subscriber();
		const id = await subscribe(sub, ['whatsapp.status']);
		// The database refuses the first delivery row for this subscription (a fault inside the statement).
		await db.pool.query(`CREATE SEQUENCE test_fail_once;
			CREATE FUNCTION test_fail_once() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN IF nextval('test_fail_once') = 1 THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$;
			CREATE TRIGGER test_fail_once BEFORE INSERT ON deliveries FOR EACH ROW
				WHEN (NEW.subscription_id::text = '${id}') EXECUTE FUNCTION test_fail_once();`);
		try {
			const message = wamid();
			const body = statusUpdate([{ wamid: message, status: 'delivered', recipient: '919813700001' }]);
			expect((await instance.postMeta(body)).status).toBeGreaterThanOrEqual(500);
			const stored = await db.pool.query("SELECT count(*)::int AS n FROM events WHERE payload->>'wamid' = $1", [
				message,
			]);
			expect(stored.rows[0].n).toBe(0);
			await new Promise((r) => setTimeout(r, 300));
			expect(sub.received).toHaveLength(0);
			expect((await instance.postMeta(body)).status).toBe(200);
			// The slots the failed write held are free again (the instance has two): the next ones are sent too.
			for (let i = 0; i < 40; i++)
				expect(
					(await instance.postMeta(statusUpdate([{ wamid: wamid(), status: 'sent', recipient: '919813700001' }])))
						.status,
				).toBe(200);
			await until('41 statuses processed', () => sub.processed.size === 41);
			await until('41 outcomes recorded', async () => (await succeeded(id)).n === 41);
			expect(sub.received).toHaveLength(41);
		} finally {
			await db.pool.query(
				'DROP TRIGGER test_fail_once ON deliveries; DROP FUNCTION test_fail_once(); DROP SEQUENCE test_fail_once;',
			);
			await service.call(key, 'DELETE', `/api/v1/subscriptions/${id}`);
			await sub.close();
		}
	}

	it('deliveries left in the outbox wake the workers with NOTIFY once stored (one statement and transaction alike)', async () => {
		const listener = await db.pool.connect();
		const notified: string[] = [];
		listener.on('notification', (n) => {
			if (n.channel === 'tp_fanout') notified.push(String(n.payload));
		});
		await listener.query('LISTEN tp_fanout');
		// This instance's worker is not started: it claims nothing, so its deliveries wait in the outbox.
		const idle = await startApiService(db.pool);
		const sub = await subscriber();
		const id = await subscribe(sub, ['*']);
		try {
			expect(
				(await idle.postMeta(statusUpdate([{ wamid: wamid(), status: 'sent', recipient: '919813700002' }]))).status,
			).toBe(200);
			await until('a NOTIFY for the status', () => notified.length === 1, 5_000);
			expect(notified[0]).toBe('1');
			expect((await idle.postMeta(inboundMessages([{ from: '919813700003', id: wamid(), text: 'hi' }]))).status).toBe(
				200,
			);
			await until('a NOTIFY for the message', () => notified.length === 2, 5_000);
			expect(notified[1]).toBe('1');
			await until('both delivered by the running worker', async () => (await succeeded(id)).n === 2);
		} finally {
			await listener.query('UNLISTEN tp_fanout');
			listener.release();
			await idle.close();
			await service.call(key, 'DELETE', `/api/v1/subscriptions/${id}`);
			await sub.close();
		}
	});

	it('shutdown waits for a webhook still being written after its client went away: its delivery is sent before the worker stops', async () => {
		let entered = false;
		const slow = await startApiService(db.pool, {}, [
			async () => {
				entered = true;
				await new Promise((r) => setTimeout(r, 400));
			},
		]);
		await alone(slow, async () => {
			const sub = await subscriber();
			const id = await subscribe(sub, ['whatsapp.message']);
			const body = inboundMessages([{ from: '919813300300', id: wamid(), text: 'hi' }]);
			const aborted = new AbortController();
			const posting = fetch(`${slow.url}/webhooks/meta`, {
				method: 'POST',
				headers: {
					'content-type': 'application/json',
					'x-hub-signature-256': signMetaBody(body, slow.settings.META_APP_SECRETS[0]),
				},
				body,
				signal: aborted.signal,
			}).catch(() => undefined);
			await until('the write is running', () => entered);
			aborted.abort(); // the drain gave up on this client
			const store = slow.app.locals.eventStore!;
			expect(await store.settled(50)).toBe(false);
			expect(await store.settled(5_000)).toBe(true);
			await slow.api.worker!.stop();
			expect(sub.processed.size).toBe(1);
			expect((await succeeded(id)).n).toBe(1);
			await posting;
			await service.call(key, 'DELETE', `/api/v1/subscriptions/${id}`);
			await sub.close();
		});
	});

	it('deliveries claimed by a worker that stopped before the commit go back to the outbox, due at once, attempt not counted', async () => {
		let stopDuring = true;
		const stopping = await startApiService(db.pool, {}, [
			async () => {
				if (!stopDuring) return;
				stopDuring = false;
				await stopping.api.worker!.stop();
			},
		]);
		await alone(stopping, async () => {
			const sub = await subscriber();
			const id = await subscribe(sub, ['whatsapp.message']);
			expect(
				(await stopping.postMeta(inboundMessages([{ from: '919813300200', id: wamid(), text: 'hi' }]))).status,
			).toBe(200);
			await until('handed back', async () => {
				const { rows } = await db.pool.query(
					`SELECT attempts, last_attempt_at, next_attempt_at <= now() AS due FROM deliveries WHERE subscription_id = $1`,
					[id],
				);
				return rows.length === 1 && rows[0].attempts === 0 && rows[0].last_attempt_at === null && rows[0].due;
			});
			expect(sub.received).toHaveLength(0);
			// Another worker sends it now, not when a 60 s lease would have run out.
			const started = Date.now();
			await service.api.worker!.start();
			await until('processed', () => sub.processed.size === 1, 5_000);
			expect(Date.now() - started).toBeLessThan(5_000);
			await until('recorded', async () => (await succeeded(id)).n === 1);
			expect((await succeeded(id)).max_attempts).toBe(1);
			await service.call(key, 'DELETE', `/api/v1/subscriptions/${id}`);
			await sub.close();
		});
	});
});
