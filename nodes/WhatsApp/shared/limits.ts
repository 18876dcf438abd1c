/**
 * Meta's limits, checked before any request so the user gets a clear message instead of a
 * rejected send. Pure functions; they throw `LimitError` (an InputError), which the router turns
 * into a NodeOperationError for the item.
 */
import { InputError } from '../../shared/errors';

export class LimitError extends InputError {
	constructor(message: string, description?: string) {
		super(message, description);
		this.name = 'LimitError';
	}
}

export const LIMITS = {
	textBody: 4096,
	caption: 1024,
	interactiveBody: 1024,
	headerText: 60,
	footerText: 60,
	replyButtons: 3,
	replyButtonTitle: 20,
	replyButtonId: 256,
	listButtonText: 20,
	listSections: 10,
	listRowsTotal: 10,
	sectionTitle: 24,
	rowTitle: 24,
	rowId: 200,
	rowDescription: 72,
	ctaDisplayText: 20,
	templateHeaderText: 60,
	templateButtons: 10,
	contacts: 257,
} as const;

/** A business-scoped user ID (BSUID, e.g. IN.1648738043044942) or a parent BSUID (IN.ENT.…). */
export const BSUID_PATTERN = /^[A-Z]{2}\.(ENT\.)?[A-Za-z0-9]{1,128}$/;

export function isBsuid(recipient: string): boolean {
	return BSUID_PATTERN.test(recipient);
}

/**
 * The person to message: a phone number as digits only, 7–15 of them (E.164 without the +), or a
 * business-scoped user ID as Meta gave it (for a person whose phone number Meta withholds).
 */
export function normalizeRecipient(to: string): string {
	const trimmed = String(to ?? '').trim();
	if (isBsuid(trimmed)) return trimmed;
	const digits = trimmed.replace(/[\s\-().+]/g, '');
	if (!/^[0-9]{7,15}$/.test(digits)) {
		throw new LimitError(
			`Recipient "${to}" is not a phone number or a WhatsApp user ID: use the country code and number (e.g. +91 98000 00001) or the user ID from a webhook (e.g. IN.1648738043044942)`,
			'WhatsApp needs 7 to 15 digits including the country code (spaces, dashes, brackets and a leading + are allowed), or a business-scoped user ID: two capital letters, a dot, then letters and digits.',
		);
	}
	return digits;
}

export function checkLength(label: string, value: string | undefined, max: number, required = false): void {
	const text = value ?? '';
	if (required && text.trim() === '') throw new LimitError(`${label} is required`);
	// Meta counts characters, not bytes; Array.from counts code points (emoji = 1).
	const length = Array.from(text).length;
	if (length > max)
		throw new LimitError(
			`${label} is ${length} characters; WhatsApp allows at most ${max}`,
			`Value: "${text.slice(0, 80)}${text.length > 80 ? '…' : ''}"`,
		);
}

export function checkCount(label: string, count: number, min: number, max: number): void {
	if (count < min || count > max) {
		throw new LimitError(
			min === max
				? `${label}: exactly ${min} required, got ${count}`
				: `${label}: ${min === 0 ? 'at most' : `${min} to`} ${max} allowed, got ${count}`,
		);
	}
}

export function checkUnique(label: string, values: string[]): void {
	const seen = new Set<string>();
	for (const value of values) {
		if (seen.has(value)) throw new LimitError(`${label} must be unique; "${value}" appears twice`);
		seen.add(value);
	}
}

export function checkHttpUrl(label: string, value: string): void {
	if (!/^https?:\/\/[^\s]+$/i.test(value ?? ''))
		throw new LimitError(`${label} must be an http(s) URL, got "${value}"`);
}

/** Placeholders in a template text: {{1}}, {{2}} (positional) or {{first_name}} (named), distinct. */
export function templatePlaceholders(text: unknown): string[] {
	if (typeof text !== 'string') return [];
	return [...new Set(Array.from(text.matchAll(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g), (m) => m[1]))];
}

/** Meta's message time-to-live ranges per template category, seconds (set on the template: `message_send_ttl_seconds`). */
const TTL_RANGES: Record<string, [number, number]> = {
	MARKETING: [43_200, 2_592_000],
	UTILITY: [30, 43_200],
	AUTHENTICATION: [30, 900],
};

export function checkTtl(category: string, seconds: number): number {
	const range = TTL_RANGES[category.toUpperCase()];
	if (!range) throw new LimitError(`Message TTL cannot be set on a ${category} template`);
	if (!Number.isInteger(seconds) || seconds < range[0] || seconds > range[1]) {
		throw new LimitError(
			`Message TTL for a ${category} template must be ${range[0]} to ${range[1]} seconds, got ${seconds}`,
		);
	}
	return seconds;
}
