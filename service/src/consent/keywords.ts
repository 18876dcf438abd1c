// STOP / START keyword handling for inbound WhatsApp messages. Pure module.
export type ConsentState = 'opted_in' | 'opted_out' | 'unknown';
export const CONSENT_STATES = ['opted_in', 'opted_out', 'unknown'] as const;

export interface KeywordLists {
	optOut: readonly string[];
	optIn: readonly string[];
}

const DEFAULT_KEYWORDS: KeywordLists = { optOut: ['STOP', 'UNSUBSCRIBE'], optIn: ['START', 'SUBSCRIBE'] };

/** Case-, space- and trailing-punctuation-insensitive form: " Un Subscribe! " → "unsubscribe". */
function normalizeKeyword(text: string): string {
	return text
		.normalize('NFKC')
		.toLowerCase()
		.replace(/\s+/g, '')
		.replace(/[.!?,;:]+$/u, '');
}

export function parseKeywordList(value: string): string[] {
	return value
		.split(',')
		.map((k) => k.trim())
		.filter(Boolean);
}

/**
 * The consent change a message asks for, or undefined. The whole message must be the keyword:
 * "stop" opts out, "please don't stop the offers" does not.
 */
export function consentChangeFor(
	text: string | undefined,
	lists: KeywordLists = DEFAULT_KEYWORDS,
): 'opted_out' | 'opted_in' | undefined {
	if (!text) return undefined;
	const word = normalizeKeyword(text);
	if (!word || word.length > 40) return undefined;
	if (lists.optOut.some((k) => normalizeKeyword(k) === word)) return 'opted_out';
	if (lists.optIn.some((k) => normalizeKeyword(k) === word)) return 'opted_in';
	return undefined;
}

/**
 * The text a customer typed or tapped in a WhatsApp Cloud API message object: text body, quick-reply
 * button, interactive button or list reply.
 */
export function messageText(message: unknown): string | undefined {
	if (!message || typeof message !== 'object') return undefined;
	const m = message as {
		text?: { body?: unknown };
		button?: { text?: unknown; payload?: unknown };
		interactive?: { button_reply?: { title?: unknown; id?: unknown }; list_reply?: { title?: unknown; id?: unknown } };
	};
	if (typeof m.text?.body === 'string') return m.text.body;
	if (typeof m.button?.text === 'string') return m.button.text;
	if (typeof m.button?.payload === 'string') return m.button.payload;
	const reply = m.interactive?.button_reply ?? m.interactive?.list_reply;
	if (typeof reply?.title === 'string') return reply.title;
	return undefined;
}
