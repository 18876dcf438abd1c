// Contact ids (E.164 or BSUID) and the consent of two joined records.
import { joinedConsent, parseContactKey, type ConsentSnapshot } from './identity';

const at = (s: number) => new Date(Date.UTC(2026, 5, 1, 0, 0, s));
const snap = (consent: ConsentSnapshot['consent'], source: string | null, second: number | null): ConsentSnapshot => ({
	consent,
	consent_source: source,
	consent_updated_at: second === null ? null : at(second),
});

describe('parseContactKey', () => {
	it('reads a phone number as wa_id and a BSUID as user_id', () => {
		expect(parseContactKey('+91 98765 43210')).toEqual({ ok: true, wa_id: '919876543210' });
		expect(parseContactKey('IN.1648738043044942')).toEqual({ ok: true, user_id: 'IN.1648738043044942' });
	});
	it('names what is wrong with a malformed BSUID or number', () => {
		expect(parseContactKey('IN.ENT.123')).toMatchObject({ ok: false, problem: 'invalid_user_id' });
		expect(parseContactKey('in.123')).toMatchObject({ ok: false, problem: 'invalid_user_id' });
		expect(parseContactKey('09876543210')).toMatchObject({ ok: false, problem: 'national_format' });
	});
});

describe('joinedConsent', () => {
	it('never loses an opt-out to an older or equally recent opt-in, nor to one the business recorded', () => {
		expect(joinedConsent(snap('opted_in', 'keyword', 1), snap('opted_out', 'keyword', 2)).consent).toBe('opted_out');
		expect(joinedConsent(snap('opted_in', 'keyword', 2), snap('opted_out', 'keyword', 2)).consent).toBe('opted_out');
		expect(joinedConsent(snap('opted_out', 'meta_preferences', 1), snap('opted_in', 'api', 5)).consent).toBe(
			'opted_out',
		);
		expect(joinedConsent(snap('opted_out', 'import', 1), snap('opted_in', 'import', 5)).consent).toBe('opted_out');
	});
	it("keeps the person's own later START", () => {
		expect(joinedConsent(snap('opted_out', 'keyword', 1), snap('opted_in', 'keyword', 5))).toEqual(
			snap('opted_in', 'keyword', 5),
		);
	});
	it('a known state beats unknown; of equal states the newer change is kept', () => {
		expect(joinedConsent(snap('unknown', null, null), snap('opted_in', 'api', 3)).consent).toBe('opted_in');
		expect(joinedConsent(snap('opted_out', 'api', 3), snap('unknown', null, null)).consent).toBe('opted_out');
		expect(joinedConsent(snap('opted_in', 'api', 1), snap('opted_in', 'keyword', 4)).consent_source).toBe('keyword');
	});
});
