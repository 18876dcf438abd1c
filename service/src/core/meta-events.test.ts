import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { boundedKey, MetaPayloadError, normalizeMetaPayload } from './meta-events';

const fixture = (name: string): unknown =>
	JSON.parse(readFileSync(join(__dirname, '..', '..', 'test', 'fixtures', 'meta', name), 'utf8'));
const received = new Date('2026-01-01T00:00:00Z');

describe('Meta payload normalization', () => {
	it('turns a WhatsApp text message into whatsapp.message with sender, profile name and text', () => {
		const [event, ...rest] = normalizeMetaPayload(fixture('whatsapp-text-message.json'), received);
		expect(rest).toHaveLength(0);
		expect(event).toMatchObject({
			type: 'whatsapp.message',
			dedupeKey: 'wa.message:wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=',
			occurredAt: new Date(1749416383 * 1000),
			payload: {
				from: '16505551234',
				profile_name: 'Sheena Nelson',
				text: 'Does it come in another color?',
				phone_number_id: '106540352242922',
				message_type: 'text',
			},
		});
	});

	it('gives sent and delivered statuses of one wamid different keys, and a redelivery the same key', () => {
		const sent = normalizeMetaPayload(fixture('whatsapp-status-sent.json'), received);
		const delivered = normalizeMetaPayload(fixture('whatsapp-status-delivered.json'), received);
		expect(sent[0].dedupeKey).not.toBe(delivered[0].dedupeKey);
		expect(normalizeMetaPayload(fixture('whatsapp-status-sent.json'), new Date())[0].dedupeKey).toBe(sent[0].dedupeKey);
		expect(delivered[0]).toMatchObject({
			type: 'whatsapp.status',
			payload: { status: 'delivered', recipient_id: '5516992318222', errors: [] },
		});
	});

	it('keeps the error code, title and details of a failed status', () => {
		const [event] = normalizeMetaPayload(fixture('whatsapp-status-failed.json'), received);
		expect(event.payload).toMatchObject({
			status: 'failed',
			errors: [
				{
					code: 131049,
					title: expect.stringContaining('healthy ecosystem'),
					details: expect.stringContaining('failed to be delivered'),
				},
			],
		});
	});

	it('stores top-level WhatsApp errors as whatsapp.error', () => {
		const [event] = normalizeMetaPayload(fixture('whatsapp-errors.json'), received);
		expect(event).toMatchObject({ type: 'whatsapp.error', payload: { error: { code: 130429 } } });
	});

	it('handles a batched delivery whole: every entry, change, message and status', () => {
		const events = normalizeMetaPayload(fixture('whatsapp-batch.json'), received);
		expect(events.map((e) => e.type)).toEqual([
			'whatsapp.message',
			'whatsapp.status',
			'whatsapp.status',
			'whatsapp.message',
		]);
		expect(new Set(events.map((e) => e.dedupeKey)).size).toBe(4);
	});

	it('normalizes Instagram comments, mentions and messages', () => {
		const [comment] = normalizeMetaPayload(fixture('instagram-comment.json'), received);
		expect(comment).toMatchObject({
			type: 'instagram.comment',
			dedupeKey: 'ig.comment:17919697626119712',
			payload: { text: 'PRICE please', from_username: 'jiangwenwen1213', media_id: '18172143295349192' },
		});
		const [mention] = normalizeMetaPayload(fixture('instagram-mention.json'), received);
		expect(mention).toMatchObject({
			type: 'instagram.mention',
			payload: { media_id: '17918195224117851', comment_id: '17894227972186120' },
		});
		const [message] = normalizeMetaPayload(fixture('instagram-message.json'), received);
		expect(message).toMatchObject({
			type: 'instagram.message',
			payload: { sender_id: '1834235326598262', text: 'Is this available in blue?' },
		});
		expect(message.occurredAt).toEqual(new Date(1569262485349));
	});

	it('stores unknown fields and objects as meta.unhandled instead of rejecting them', () => {
		const [event] = normalizeMetaPayload(fixture('whatsapp-unknown-field.json'), received);
		expect(event).toMatchObject({
			type: 'meta.unhandled',
			payload: { field: 'account_update', value: { event: 'VERIFIED_ACCOUNT' } },
		});
		const odd = normalizeMetaPayload(
			{ object: 'permissions', entry: [{ id: '1', changes: [{ field: 'x', value: 1 }] }] },
			received,
		);
		expect(odd[0].type).toBe('meta.unhandled');
		expect(normalizeMetaPayload({ hello: 'world' }, received)[0].type).toBe('meta.unhandled');
	});

	it('replaces U+0000 (which Postgres jsonb refuses) and ignores absurd timestamps', () => {
		const [event] = normalizeMetaPayload(
			{
				object: 'whatsapp_business_account',
				entry: [
					{
						id: '1',
						changes: [
							{
								field: 'messages',
								value: {
									messages: [
										{
											id: 'wamid.x',
											from: '1',
											timestamp: '99999999999999999',
											type: 'text',
											text: { body: 'a\u0000b\ud800c' },
										},
									],
								},
							},
						],
					},
				],
			},
			received,
		);
		expect(event.payload.text).toBe('a\uFFFDb\uFFFDc');
		expect(event.occurredAt).toEqual(received);
	});

	it('refuses bodies nested absurdly deep (no stack overflow, no Postgres jsonb error)', () => {
		const deep = JSON.parse(`{"object":"instagram","entry":${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
		expect(() => normalizeMetaPayload(deep, received)).toThrow(/deeper than 64/);
	});

	it('gives the same events when it has the JSON text, and still cleans or refuses what the text reveals', () => {
		for (const name of ['whatsapp-text-message.json', 'whatsapp-status-failed.json', 'whatsapp-batch.json']) {
			const payload = fixture(name);
			expect(normalizeMetaPayload(payload, received, JSON.stringify(payload))).toEqual(
				normalizeMetaPayload(payload, received),
			);
		}
		const odd = {
			object: 'instagram',
			entry: [{ id: '1', messaging: [{ message: { mid: 'm.1', text: 'a\u0000b\ud800c' } }] }],
		};
		const text = JSON.stringify(odd);
		expect(text).toContain('\\u0000');
		const [message] = normalizeMetaPayload(JSON.parse(text), received, text);
		expect(message.payload.text).toBe('a\uFFFDb\uFFFDc');
		const deepText = `{"object":"instagram","entry":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
		expect(() => normalizeMetaPayload(JSON.parse(deepText), received, deepText)).toThrow(/deeper than 64/);
	});

	it('refuses bodies that are not JSON objects', () => {
		for (const body of [null, [], 'text', 42])
			expect(() => normalizeMetaPayload(body, received)).toThrow(MetaPayloadError);
	});

	it('keeps identity keys within what a unique index holds: real ids as they are, absurd ones hashed', () => {
		const wamid = 'wamid.HBgLMTU1NTA3ODM4ODEVAgARGBI0QkM3QzM4RjhBQkI3M0YxMjkA';
		expect(boundedKey(`wa.message:${wamid}`)).toBe(`wa.message:${wamid}`);
		const long = `wa.status:${'x'.repeat(5000)}:failed`;
		expect(boundedKey(long)).toMatch(/^wa\.status:sha256:[0-9a-f]{64}$/);
		expect(boundedKey(long)).toBe(boundedKey(long));
		expect(boundedKey(long)).not.toBe(boundedKey(long.replace('failed', 'read')));
		const [event] = normalizeMetaPayload(
			{
				object: 'whatsapp_business_account',
				entry: [
					{
						id: '1',
						changes: [{ field: 'messages', value: { statuses: [{ id: 'w'.repeat(3000), status: 'read' }] } }],
					},
				],
			},
			received,
		);
		expect(event.dedupeKey.length).toBeLessThan(100);
		expect(event.payload.wamid).toBe('w'.repeat(3000));
	});
});
