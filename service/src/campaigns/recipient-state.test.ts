import { nextRecipientState, resolveParameters, statesAcceptingStatus } from './recipient-state';

describe('recipient state machine', () => {
	it('claims pending, and unknown only on explicit request', () => {
		expect(nextRecipientState('pending', { kind: 'claim', resendUnknown: false })).toBe('claimed');
		expect(nextRecipientState('unknown', { kind: 'claim', resendUnknown: false })).toBeUndefined();
		expect(nextRecipientState('unknown', { kind: 'claim', resendUnknown: true })).toBe('claimed');
		for (const state of ['claimed', 'sent', 'delivered', 'read', 'failed', 'skipped'] as const) {
			expect(nextRecipientState(state, { kind: 'claim', resendUnknown: true })).toBeUndefined();
		}
	});
	it('records results only for claims (late results for expired claims too)', () => {
		expect(nextRecipientState('claimed', { kind: 'result_sent' })).toBe('sent');
		expect(nextRecipientState('unknown', { kind: 'result_sent' })).toBe('sent');
		expect(nextRecipientState('pending', { kind: 'result_sent' })).toBeUndefined();
		expect(nextRecipientState('sent', { kind: 'result_failed' })).toBeUndefined();
	});
	it('moves forward on statuses, never back', () => {
		expect(nextRecipientState('sent', { kind: 'status', status: 'delivered' })).toBe('delivered');
		expect(nextRecipientState('delivered', { kind: 'status', status: 'read' })).toBe('read');
		expect(nextRecipientState('read', { kind: 'status', status: 'delivered' })).toBeUndefined();
		expect(nextRecipientState('sent', { kind: 'status', status: 'read' })).toBe('read');
		expect(nextRecipientState('delivered', { kind: 'status', status: 'failed' })).toBe('failed');
		expect(nextRecipientState('read', { kind: 'status', status: 'failed' })).toBeUndefined();
		expect(statesAcceptingStatus('delivered')).toEqual(['claimed', 'sent', 'unknown']);
	});
	it('expires only claims', () => {
		expect(nextRecipientState('claimed', { kind: 'expire_claim' })).toBe('unknown');
		expect(nextRecipientState('sent', { kind: 'expire_claim' })).toBeUndefined();
	});
	it('resolves {{name}} and {{wa_id}} parameters', () => {
		expect(
			resolveParameters(['Hi {{ name }}', 'code {{wa_id}}', 'plain'], { wa_id: '919876543210', name: 'Asha' }),
		).toEqual(['Hi Asha', 'code 919876543210', 'plain']);
		expect(resolveParameters(['Hi {{name}}'], { wa_id: '1', name: null }, 'there')).toEqual(['Hi there']);
	});
});
