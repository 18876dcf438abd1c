// GET/POST /webhooks/meta against real Postgres: handshake, signatures, durable and deduplicated
// storage, batches, unknown events, hooks in the same transaction, and clear 4xx for bad input.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import type { PoolClient } from 'pg';
import { signMetaBody } from '../src/core/meta-signature';
import { insertPayloadsAndEvents, type StoredEvent } from '../src/db/events';
import type { TestDatabase } from '../../test/helpers/postgres';
import { count, migratedDatabase, startService, type TestService, json } from './helpers';
import { statusBody } from './support/payloads';

const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', 'meta', name));

describe('Meta webhook gateway', () => {
	let db: TestDatabase;
	let service: TestService;
	const hookCalls: Array<{ types: string[]; inTransaction: boolean }> = [];
	let failHook = false;

	beforeAll(async () => {
		db = await migratedDatabase('meta');
		const hook = async (tx: PoolClient, events: StoredEvent[]) => {
			// Inside the storing transaction the new rows are visible through tx, not yet to others.
			const ids = events.map((e) => e.id);
			const mine = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE id = ANY($1::bigint[])', [
				ids,
			]);
			const others = await db.pool.query<{ n: number }>(
				'SELECT count(*)::int AS n FROM events WHERE id = ANY($1::bigint[])',
				[ids],
			);
			hookCalls.push({
				types: events.map((e) => e.type),
				inTransaction: mine.rows[0].n === events.length && others.rows[0].n === 0,
			});
			if (failHook) throw new Error('hook failed');
		};
		service = await startService(db.pool, { hooks: [hook] });
	});
	afterAll(async () => {
		await service.close();
		await db.drop();
	});

	describe('GET handshake', () => {
		const get = (params: Record<string, string>) =>
			fetch(`${service.url}/webhooks/meta?${new URLSearchParams(params)}`);

		it('echoes hub.challenge when the verify token matches', async () => {
			const res = await get({
				'hub.mode': 'subscribe',
				'hub.verify_token': service.settings.META_VERIFY_TOKEN,
				'hub.challenge': '1158201444',
			});
			expect(res.status).toBe(200);
			expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
			expect(await res.text()).toBe('1158201444');
		});

		it('answers 403 with a JSON error on a wrong token', async () => {
			const res = await get({ 'hub.mode': 'subscribe', 'hub.verify_token': 'wrong-token', 'hub.challenge': '1' });
			expect(res.status).toBe(403);
			expect(await json(res)).toEqual({
				error: { code: 'verify_token_mismatch', message: expect.stringContaining('META_VERIFY_TOKEN') },
			});
		});

		it('answers 400 when parameters are missing or the mode is not subscribe', async () => {
			expect((await get({ 'hub.mode': 'subscribe' })).status).toBe(400);
			expect(
				(
					await get({
						'hub.mode': 'unsubscribe',
						'hub.verify_token': service.settings.META_VERIFY_TOKEN,
						'hub.challenge': '1',
					})
				).status,
			).toBe(400);
		});
	});

	describe('POST events', () => {
		it('stores a signed WhatsApp message with its raw payload, then answers 200', async () => {
			const body = fixture('whatsapp-text-message.json');
			const res = await service.postMeta(body);
			expect(res.status).toBe(200);
			expect(await json(res)).toEqual({ received: 1, stored: 1, duplicates: 0 });
			const { rows } = await db.pool.query(
				`SELECT e.type, e.payload->>'text' AS text, e.payload->>'from' AS "from", p.raw_body
				 FROM events e JOIN webhook_payloads p ON p.id = e.payload_id
				 WHERE e.dedupe_key = 'wa.message:wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA='`,
			);
			expect(rows).toHaveLength(1);
			expect(rows[0]).toMatchObject({
				type: 'whatsapp.message',
				text: 'Does it come in another color?',
				from: '16505551234',
			});
			expect(Buffer.compare(rows[0].raw_body, body)).toBe(0);
		});

		it('accepts a redelivery with 200 and changes nothing', async () => {
			const body = fixture('whatsapp-status-sent.json');
			expect((await service.postMeta(body)).status).toBe(200);
			const before = {
				events: await count(db.pool, 'SELECT * FROM events'),
				payloads: await count(db.pool, 'SELECT * FROM webhook_payloads'),
			};
			const again = await service.postMeta(body);
			expect(again.status).toBe(200);
			expect(await json(again)).toEqual({ received: 1, stored: 0, duplicates: 1 });
			expect(await count(db.pool, 'SELECT * FROM events')).toBe(before.events);
			expect(await count(db.pool, 'SELECT * FROM webhook_payloads')).toBe(before.payloads);
		});

		it('stores sent, delivered and failed statuses of messages as separate events, with error details', async () => {
			await service.postMeta(fixture('whatsapp-status-delivered.json'));
			await service.postMeta(fixture('whatsapp-status-failed.json'));
			const { rows } = await db.pool.query(
				"SELECT payload->>'status' AS status, payload->'errors'->0->>'code' AS code FROM events WHERE type = 'whatsapp.status' ORDER BY occurred_at",
			);
			expect(rows).toEqual([
				{ status: 'failed', code: '131049' },
				{ status: 'sent', code: null },
				{ status: 'delivered', code: null },
			]);
		});

		it('handles a batched delivery whole, skipping only the events already stored', async () => {
			const res = await service.postMeta(fixture('whatsapp-batch.json'));
			expect(res.status).toBe(200);
			// The last message of the batch is the one of whatsapp-text-message.json, stored above.
			expect(await json(res)).toEqual({ received: 4, stored: 3, duplicates: 1 });
		});

		it('stores Instagram comments, mentions and messages, and unknown fields as meta.unhandled', async () => {
			for (const name of [
				'instagram-comment.json',
				'instagram-mention.json',
				'instagram-message.json',
				'whatsapp-unknown-field.json',
			]) {
				expect((await service.postMeta(fixture(name))).status).toBe(200);
			}
			const { rows } = await db.pool.query(
				"SELECT type FROM events WHERE type LIKE 'instagram.%' OR type = 'meta.unhandled' ORDER BY type",
			);
			expect(rows.map((r) => r.type)).toEqual([
				'instagram.comment',
				'instagram.mention',
				'instagram.message',
				'meta.unhandled',
			]);
		});

		it('verifies \\u00e4 escapes and raw UTF-8 emoji over the exact bytes and stores the decoded text', async () => {
			const body = Buffer.from(
				'{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"2"},"messages":[{"from":"49151","id":"wamid.umlaut","timestamp":"1750000000","type":"text","text":{"body":"K\\u00e4se bitte 🧀🎉"}}]}}]}]}',
				'utf8',
			);
			const res = await service.postMeta(body);
			expect(res.status).toBe(200);
			const { rows } = await db.pool.query(
				"SELECT payload->>'text' AS text FROM events WHERE dedupe_key = 'wa.message:wamid.umlaut'",
			);
			expect(rows[0].text).toBe('Käse bitte 🧀🎉');
			// The same text signed after re-serialization is other bytes: refused.
			const reserialized = JSON.stringify(JSON.parse(body.toString('utf8')));
			const forged = await fetch(`${service.url}/webhooks/meta`, {
				method: 'POST',
				headers: {
					'content-type': 'application/json',
					'x-hub-signature-256': signMetaBody(body, service.settings.META_APP_SECRETS[0]),
				},
				body: reserialized,
			});
			expect(forged.status).toBe(401);
		});

		it('stores a body with \\u0000 and a lone surrogate (which jsonb refuses) instead of failing', async () => {
			const body = Buffer.from(
				'{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messages":[{"from":"1","id":"wamid.nul","timestamp":"1750000000","type":"text","text":{"body":"a\\u0000b\\ud800c"}}]}}]}]}',
			);
			const res = await service.postMeta(body);
			expect(res.status).toBe(200);
			const { rows } = await db.pool.query(
				"SELECT payload->>'text' AS text FROM events WHERE dedupe_key = 'wa.message:wamid.nul'",
			);
			expect(rows[0].text).toBe('a\uFFFDb\uFFFDc');
		});

		it('accepts a signature made with the second app secret (rotation)', async () => {
			const body = Buffer.from(
				JSON.stringify({
					object: 'instagram',
					entry: [{ id: '9', time: 1750000000, changes: [{ field: 'comments', value: { id: 'c-rot', text: 'hi' } }] }],
				}),
			);
			expect((await service.postMeta(body, { secret: service.settings.META_APP_SECRETS[1] })).status).toBe(200);
		});

		it('runs hooks inside the storing transaction with only the new events', async () => {
			hookCalls.length = 0;
			const body = Buffer.from(
				JSON.stringify({
					object: 'instagram',
					entry: [
						{ id: '9', time: 1750000001, changes: [{ field: 'comments', value: { id: 'c-hook', text: 'hook' } }] },
					],
				}),
			);
			await service.postMeta(body);
			await service.postMeta(body);
			expect(hookCalls).toEqual([{ types: ['instagram.comment'], inTransaction: true }]);
		});

		it('rolls everything back when a hook fails, answers 5xx, and stores it on the retry', async () => {
			const body = Buffer.from(
				JSON.stringify({
					object: 'instagram',
					entry: [{ id: '9', time: 1750000002, changes: [{ field: 'comments', value: { id: 'c-fail', text: 'x' } }] }],
				}),
			);
			failHook = true;
			try {
				const res = await service.postMeta(body);
				expect(res.status).toBeGreaterThanOrEqual(500);
				expect(await count(db.pool, "SELECT * FROM events WHERE dedupe_key = 'ig.comment:c-fail'")).toBe(0);
			} finally {
				failHook = false;
			}
			expect((await service.postMeta(body)).status).toBe(200);
			expect(await count(db.pool, "SELECT * FROM events WHERE dedupe_key = 'ig.comment:c-fail'")).toBe(1);
		});
	});

	it('stores every payload of one batch byte for byte, each event linked to its own payload', async () => {
		// Bodies of different lengths (one empty, one not UTF-8) and one body twice: the statement
		// cuts each body and hash out of one binary parameter by position.
		const bodies = [
			Buffer.from('{"object":"whatsapp_business_account","n":1}'),
			Buffer.alloc(0),
			Buffer.from([0xff, 0x00, 0xfe, 0x7b, 0x22, 0x5c, 0x78]),
			Buffer.from(`{"pad":"${'x'.repeat(70_000)}"}`),
			Buffer.from('{"object":"whatsapp_business_account","n":1}'),
		];
		const inputs = bodies.map((rawBody, index) => ({
			source: `batch-${index}`,
			rawBody,
			events: [
				{
					type: 'meta.unhandled',
					dedupeKey: `batch-bytes:${index}`,
					occurredAt: new Date('2026-12-02T10:00:00Z'),
					payload: { index },
				},
			],
		}));
		const stored = await insertPayloadsAndEvents(db.pool, inputs, { prepared: true });
		expect(stored).toHaveLength(5);
		const { rows } = await db.pool.query<{ dedupe_key: string; raw_body: Buffer; body_sha256: Buffer }>(
			`SELECT e.dedupe_key, p.raw_body, p.body_sha256 FROM events e JOIN webhook_payloads p ON p.id = e.payload_id
			 WHERE e.dedupe_key LIKE 'batch-bytes:%' ORDER BY e.dedupe_key`,
		);
		expect(rows.map((row) => row.dedupe_key)).toEqual(bodies.map((_, index) => `batch-bytes:${index}`));
		rows.forEach((row, index) => {
			expect(Buffer.compare(row.raw_body, bodies[index])).toBe(0);
			expect(row.body_sha256.equals(createHash('sha256').update(bodies[index]).digest())).toBe(true);
		});
		expect(await count(db.pool, "SELECT * FROM webhook_payloads WHERE source LIKE 'batch-%'")).toBe(4);
	});

	describe('the POST as express would route it', () => {
		const signed = (payload: Buffer, extra: Record<string, string> = {}) => ({
			'content-type': 'application/json',
			'x-hub-signature-256': signMetaBody(payload, service.settings.META_APP_SECRETS[0]),
			...extra,
		});

		it('takes a trailing slash, another letter case and a query string, like express routes', async () => {
			for (const [path, id] of [
				['/webhooks/meta/', 'wamid.fast.slash'],
				['/Webhooks/META?source=meta', 'wamid.fast.case'],
			]) {
				const payload = statusBody(id);
				const res = await fetch(`${service.url}${path}`, { method: 'POST', headers: signed(payload), body: payload });
				expect(res.status).toBe(200);
				expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
				expect(await json(res)).toEqual({ received: 1, stored: 1, duplicates: 0 });
			}
			expect((await fetch(`${service.url}/webhooks/metadata`, { method: 'POST' })).status).toBe(404);
		});

		it('stores a gzip-encoded body, signed over the bytes as sent decoded (express inflates it)', async () => {
			const payload = statusBody('wamid.fast.gzip');
			const res = await fetch(`${service.url}/webhooks/meta`, {
				method: 'POST',
				headers: signed(payload, { 'content-encoding': 'gzip' }),
				body: gzipSync(payload),
			});
			expect(res.status).toBe(200);
			expect(await json(res)).toEqual({ received: 1, stored: 1, duplicates: 0 });
		});
	});

	describe('bad input gets a clear 4xx, never a 5xx', () => {
		const body = Buffer.from('{"object":"instagram","entry":[]}');
		const post = (headers: Record<string, string>, payload: string | Buffer = body) =>
			fetch(`${service.url}/webhooks/meta`, { method: 'POST', headers, body: payload });

		it('401 without a signature or with a wrong one, counted in /metrics', async () => {
			const missing = await post({ 'content-type': 'application/json' });
			expect(missing.status).toBe(401);
			expect((await json(missing)).error.code).toBe('missing_signature');
			const wrong = await post({
				'content-type': 'application/json',
				'x-hub-signature-256': signMetaBody(body, 'not-the-secret'),
			});
			expect(wrong.status).toBe(401);
			expect((await json(wrong)).error.code).toBe('signature_mismatch');
			const malformed = await post({ 'content-type': 'application/json', 'x-hub-signature-256': 'sha1=abc' });
			expect(malformed.status).toBe(401);
			const metrics = await (await fetch(`${service.url}/metrics`)).text();
			expect(metrics).toMatch(/signature_failures_total\{source="meta",reason="signature_mismatch"\} [1-9]/);
		});

		it('400 for malformed JSON and for JSON that is not an object', async () => {
			const bad = Buffer.from('{"object": "instagram", ');
			const res = await service.postMeta(bad);
			expect(res.status).toBe(400);
			expect((await json(res)).error.code).toBe('invalid_json');
			expect((await service.postMeta(Buffer.from('[1,2]'))).status).toBe(400);
			expect((await service.postMeta(Buffer.alloc(0))).status).toBe(400);
		});

		it('400 for a signed body nested absurdly deep (no 5xx from a stack overflow or from jsonb)', async () => {
			const deep = Buffer.from(`{"object":"instagram","entry":${'['.repeat(20_000)}${']'.repeat(20_000)}}`);
			const res = await service.postMeta(deep);
			expect(res.status).toBe(400);
			expect((await json(res)).error.code).toBe('invalid_payload');
		});

		it('415 for a wrong content type', async () => {
			const res = await service.postMeta(body, { headers: { 'content-type': 'text/plain' } });
			expect(res.status).toBe(415);
			expect((await json(res)).error.code).toBe('unsupported_media_type');
		});

		it('413 for a body beyond BODY_LIMIT_BYTES', async () => {
			const huge = Buffer.alloc(service.settings.BODY_LIMIT_BYTES + 1, 0x20);
			const res = await service.postMeta(huge);
			expect(res.status).toBe(413);
			expect((await json(res)).error.code).toBe('payload_too_large');
		});

		it('413 for a chunked body beyond BODY_LIMIT_BYTES (no Content-Length), and the next request is answered', async () => {
			const limit = service.settings.BODY_LIMIT_BYTES;
			const chunks = [Buffer.alloc(limit, 0x20), Buffer.from(' ')];
			const res = await fetch(`${service.url}/webhooks/meta`, {
				method: 'POST',
				headers: {
					'content-type': 'application/json',
					'x-hub-signature-256': signMetaBody(Buffer.concat(chunks), service.settings.META_APP_SECRETS[0]),
				},
				body: new ReadableStream({
					start(controller) {
						for (const chunk of chunks) controller.enqueue(chunk);
						controller.close();
					},
				}),
				duplex: 'half',
			} as RequestInit);
			expect(res.status).toBe(413);
			expect(res.statusText).toMatch(/larger than \d+ bytes/);
			expect((await json(res)).error.code).toBe('payload_too_large');
			expect((await service.postMeta(body)).status).toBe(200);
		});

		it('a client that goes away mid-body leaves nothing stored, and the next request is answered', async () => {
			const before = await count(db.pool, 'SELECT 1 FROM webhook_payloads');
			await new Promise<void>((resolve) => {
				const socket = connect(Number(new URL(service.url).port), '127.0.0.1', () => {
					socket.write(
						'POST /webhooks/meta HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"object":',
					);
					setTimeout(() => socket.destroy(), 50);
				});
				socket.on('close', () => resolve());
				socket.on('error', () => undefined);
			});
			expect((await service.postMeta(body)).status).toBe(200);
			expect(await count(db.pool, 'SELECT 1 FROM webhook_payloads')).toBe(before);
		});

		it('404 with the error shape for unknown routes', async () => {
			const res = await fetch(`${service.url}/webhooks/nope`);
			expect(res.status).toBe(404);
			expect(await json(res)).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
		});
	});
});
