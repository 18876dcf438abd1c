// WhatsApp ids are E.164 numbers written as digits only (what Meta puts in `wa_id` and `from`).
// Pure module: accepts what people type ("+91 98765-43210", "0091 98765 43210") and says what is
// wrong with the rest.
type WaIdProblem =
	| 'empty'
	| 'invalid_characters'
	| 'national_format'
	| 'too_short'
	| 'too_long'
	| 'invalid_country_code'
	| 'invalid_national_number';

type WaIdResult = { ok: true; wa_id: string } | { ok: false; problem: WaIdProblem; message: string };

// National significant number lengths for the markets we know best; others get the generic E.164 rule.
const NATIONAL: Record<string, { length: number; firstDigits: RegExp; name: string }> = {
	'91': { length: 10, firstDigits: /^[6-9]/, name: 'Indian mobile numbers' },
	'1': { length: 10, firstDigits: /^[2-9]/, name: 'North American numbers' },
};

const fail = (problem: WaIdProblem, message: string): WaIdResult => ({ ok: false, problem, message });

export function normalizeWaId(input: unknown): WaIdResult {
	if (typeof input !== 'string' && typeof input !== 'number')
		return fail('empty', 'A WhatsApp id (phone number) is required.');
	const raw = String(input).trim();
	if (!raw) return fail('empty', 'A WhatsApp id (phone number) is required.');
	// Separators people type; everything else must be digits after an optional leading + or 00.
	let value = raw.replace(/[\s\-().\u00a0]/g, '');
	if (value.startsWith('+')) value = value.slice(1);
	else if (value.startsWith('00')) value = value.slice(2);
	else if (value.startsWith('0')) {
		return fail(
			'national_format',
			`"${raw}" starts with 0 (a national format): write it with the country code, e.g. +91 98765 43210.`,
		);
	}
	if (!/^\d+$/.test(value))
		return fail('invalid_characters', `"${raw}" may contain only digits, spaces, dashes, parentheses and a leading +.`);
	if (value.startsWith('0')) return fail('invalid_country_code', `"${raw}": country codes never start with 0.`);
	if (value.length < 8)
		return fail('too_short', `"${raw}" has ${value.length} digits; an international number has at least 8.`);
	if (value.length > 15) return fail('too_long', `"${raw}" has ${value.length} digits; E.164 allows at most 15.`);
	for (const [code, rule] of Object.entries(NATIONAL)) {
		if (!value.startsWith(code)) continue;
		// "1" is a prefix of many 3-digit codes only in theory (they are all +1 NANP areas), so this is safe.
		const national = value.slice(code.length);
		if (national.length !== rule.length || !rule.firstDigits.test(national)) {
			return fail(
				'invalid_national_number',
				`"${raw}": ${rule.name} have ${rule.length} digits after +${code}${code === '91' ? ' and start with 6–9' : ''}.`,
			);
		}
	}
	return { ok: true, wa_id: value };
}
