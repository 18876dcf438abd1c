import { consentChangeFor, messageText } from './keywords';
import { normalizeWaId } from './phone';

describe('normalizeWaId (E.164 digits)', () => {
	it.each([
		['+91 98765 43210', '919876543210'],
		['0091-98765-43210', '919876543210'],
		['919876543210', '919876543210'],
		['+1 (415) 555-0134', '14155550134'],
		['+44 7700 900123', '447700900123'],
		[4915112345678, '4915112345678'],
	])('%p → %p', (input, expected) => {
		expect(normalizeWaId(input)).toEqual({ ok: true, wa_id: expected });
	});
	it.each([
		['', 'empty'],
		['09876543210', 'national_format'],
		['+91 98765 4321a', 'invalid_characters'],
		['+123456', 'too_short'],
		['+1234567890123456', 'too_long'],
		['+91 12345 67890', 'invalid_national_number'],
		['+91 98765 4321', 'invalid_national_number'],
		['+1 015 555 0134', 'invalid_national_number'],
	])('rejects %p (%s) with a message', (input, problem) => {
		const result = normalizeWaId(input);
		expect(result).toMatchObject({ ok: false, problem });
		if (!result.ok) expect(result.message.length).toBeGreaterThan(10);
	});
});

describe('consent keywords', () => {
	it.each([
		['STOP', 'opted_out'],
		[' stop ', 'opted_out'],
		['Stop!', 'opted_out'],
		['Un Subscribe', 'opted_out'],
		['START', 'opted_in'],
		['subscribe', 'opted_in'],
	])('%p → %p', (text, change) => {
		expect(consentChangeFor(text)).toBe(change);
	});
	it.each(['please do not stop the offers', 'stopped', 'hello', '', undefined])('%p changes nothing', (text) => {
		expect(consentChangeFor(text)).toBeUndefined();
	});
	it('uses configured lists', () => {
		const lists = { optOut: ['BAND KARO'], optIn: ['SHURU'] };
		expect(consentChangeFor('band karo', lists)).toBe('opted_out');
		expect(consentChangeFor('shuru', lists)).toBe('opted_in');
		expect(consentChangeFor('STOP', lists)).toBeUndefined();
	});
	it('reads text, quick-reply buttons and interactive replies', () => {
		expect(messageText({ type: 'text', text: { body: 'STOP' } })).toBe('STOP');
		expect(messageText({ type: 'button', button: { text: 'Stop promotions', payload: 'STOP' } })).toBe(
			'Stop promotions',
		);
		expect(
			messageText({
				type: 'interactive',
				interactive: { type: 'button_reply', button_reply: { id: 'x', title: 'Unsubscribe' } },
			}),
		).toBe('Unsubscribe');
		expect(messageText({ type: 'image' })).toBeUndefined();
	});
});
