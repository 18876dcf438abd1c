// Who a person is on WhatsApp since 2026: a phone number (`wa_id`, E.164 digits), a business-scoped
// user ID (`user_id`, BSUID "CC.<alphanumerics>"), or both. Pure module.
import { normalizeWaId } from './phone';
import type { ConsentState } from './keywords';

export const BSUID_PATTERN = /^[A-Z]{2}\.[A-Za-z0-9]{1,128}$/;

export type ContactKey = { wa_id: string; user_id?: undefined } | { user_id: string; wa_id?: undefined };

type ContactKeyResult = ({ ok: true } & ContactKey) | { ok: false; problem: string; message: string };

/** A contact id as a caller writes it: an E.164 number ("+91 98765 43210") or a BSUID ("IN.1648738043044942"). */
export function parseContactKey(input: unknown): ContactKeyResult {
	const raw = typeof input === 'string' ? input.trim() : input;
	if (typeof raw === 'string' && /^[A-Za-z]{2}\./.test(raw)) {
		if (BSUID_PATTERN.test(raw)) return { ok: true, user_id: raw };
		return {
			ok: false,
			problem: 'invalid_user_id',
			message: `"${raw}" is not a business-scoped user ID: write it as Meta sends it, two capital letters, a dot and up to 128 letters or digits (e.g. IN.1648738043044942).`,
		};
	}
	const phone = normalizeWaId(raw);
	return phone.ok ? { ok: true, wa_id: phone.wa_id } : phone;
}

export interface ConsentSnapshot {
	consent: ConsentState;
	consent_source: string | null;
	consent_updated_at: Date | null;
}

/**
 * The consent of two records found to be one person (a phone-number record and a BSUID record joined).
 * An opt-out is never lost: it stands unless the other record's opt-in is newer AND came from the person
 * themself (a START keyword). Otherwise a known state beats `unknown`, and of two equal states the
 * newer change is kept.
 */
export function joinedConsent(a: ConsentSnapshot, b: ConsentSnapshot): ConsentSnapshot {
	if (a.consent === 'unknown') return b;
	if (b.consent === 'unknown') return a;
	const time = (s: ConsentSnapshot) => s.consent_updated_at?.getTime() ?? 0;
	if (a.consent === b.consent) return time(b) > time(a) ? b : a;
	const optedOut = a.consent === 'opted_out' ? a : b;
	const optedIn = a.consent === 'opted_in' ? a : b;
	// Strictly newer: a START and a STOP in the same instant leave the person opted out.
	return time(optedIn) > time(optedOut) && optedIn.consent_source === 'keyword' ? optedIn : optedOut;
}
