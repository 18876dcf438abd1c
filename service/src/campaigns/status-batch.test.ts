import { statusBatch } from './repository';

const at = new Date('2026-05-01T10:00:00Z');
const failed = (wamid: string, code: unknown) => ({
	occurredAt: at,
	payload: { wamid, status: 'failed', errors: [{ code, title: 'T' }] },
});

describe('statusBatch', () => {
	it('keeps the furthest status per message, in any order', () => {
		const batch = statusBatch([
			{ occurredAt: at, payload: { wamid: 'a', status: 'read' } },
			{ occurredAt: at, payload: { wamid: 'a', status: 'delivered' } },
			{ occurredAt: at, payload: { wamid: 'b', status: 'sent' } },
		]);
		expect([batch.wamids, batch.statuses]).toEqual([
			['a', 'b'],
			['read', 'sent'],
		]);
	});

	it('keeps any integer error code the ledger column holds; codes that are no exact integer stay only in the event', () => {
		const batch = statusBatch([
			failed('a', 2 ** 31),
			failed('b', 131050),
			failed('c', 1e20),
			failed('d', 1.5),
			failed('e', '131050'),
		]);
		expect(batch.codes).toEqual([2 ** 31, 131050, null, null, null]);
		expect(batch.titles).toEqual(['T', 'T', 'T', 'T', 'T']);
	});
});
