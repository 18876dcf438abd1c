import { verify } from '../core/standard-webhooks';
import { attemptOutcome, deliveryRequest } from './attempt';
import { backoffDelay } from '../db/client';
import { webhookIdFor } from './outbox';

const schedule = [0, 5_000, 60_000];
const half = () => 0.5; // no jitter

describe('attemptOutcome', () => {
	it('records a 2xx as succeeded', () => {
		expect(attemptOutcome(1, { statusCode: 204 }, schedule, half)).toEqual({
			status: 'succeeded',
			statusCode: 204,
			error: null,
			delayMs: 0,
		});
	});

	it('schedules the next attempt after a non-2xx, with the status as the error', () => {
		expect(attemptOutcome(1, { statusCode: 500 }, schedule, half)).toEqual({
			status: 'pending',
			statusCode: 500,
			error: 'HTTP 500',
			delayMs: 5_000,
		});
		expect(attemptOutcome(2, { statusCode: 302 }, schedule, half)).toEqual({
			status: 'pending',
			statusCode: 302,
			error: 'HTTP 302',
			delayMs: 60_000,
		});
	});

	it('keeps the reason when no answer came', () => {
		expect(attemptOutcome(1, { statusCode: null, failure: 'timed out after 10000 ms' }, schedule, half)).toEqual({
			status: 'pending',
			statusCode: null,
			error: 'timed out after 10000 ms',
			delayMs: 5_000,
		});
	});

	it('dead-letters once the schedule is used up', () => {
		expect(attemptOutcome(3, { statusCode: 503 }, schedule, half)).toEqual({
			status: 'dead',
			statusCode: 503,
			error: 'HTTP 503',
			delayMs: 0,
		});
	});
});

describe('deliveryRequest', () => {
	it('signs the exact body with the webhook-id derived from the event', () => {
		const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
		const row = {
			event_type: 'whatsapp.status',
			dedupe_key: 'wa:status:x',
			occurred_at: new Date('2026-01-02T03:04:05Z'),
			payload: { a: 1 },
		};
		const { body, headers } = deliveryRequest(row, [secret], 1_767_000_000);
		expect(JSON.parse(body)).toEqual({
			type: 'whatsapp.status',
			timestamp: '2026-01-02T03:04:05.000Z',
			data: { a: 1 },
		});
		expect(headers['webhook-id']).toBe(webhookIdFor('wa:status:x'));
		expect(headers['content-type']).toBe('application/json');
		expect(() => verify(body, headers, [secret], { nowSeconds: 1_767_000_000 })).not.toThrow();
	});

	it('during a rotation overlap, a receiver holding either secret verifies; one holding neither does not', () => {
		const [next, previous, other] = [1, 2, 3].map((n) => `whsec_${Buffer.alloc(32, n).toString('base64')}`);
		const row = {
			event_type: 'whatsapp.status',
			dedupe_key: 'wa:status:y',
			occurred_at: new Date('2026-01-02T03:04:05Z'),
			payload: {},
		};
		const { body, headers } = deliveryRequest(row, [next, previous], 1_767_000_000);
		expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
		for (const secret of [next, previous])
			expect(() => verify(body, headers, [secret], { nowSeconds: 1_767_000_000 })).not.toThrow();
		expect(() => verify(body, headers, [other], { nowSeconds: 1_767_000_000 })).toThrow();
	});
});

describe('backoffDelay', () => {
	it('doubles from the first delay and stops at the longest', () => {
		expect([1, 2, 3, 4, 5, 6, 100].map((n) => backoffDelay(n, 250, 5_000))).toEqual([
			250, 500, 1_000, 2_000, 4_000, 5_000, 5_000,
		]);
	});
});
