/**
 * The Marketing Messages API (POST /{phone-number-id}/marketing_messages), where Meta directs
 * MARKETING template sends. Pure.
 */
import type { IDataObject } from 'n8n-workflow';

/**
 * True when Meta refused a /marketing_messages send because the business has not been onboarded to
 * the Marketing Messages API (its terms not accepted, or not available to the account): the send may
 * then go through /messages instead. Recognised by Meta's message, which names the API and the
 * missing onboarding.
 */
export function isNotOnboarded(body: unknown): boolean {
	const error = (
		body as { error?: { message?: unknown; error_user_msg?: unknown; error_data?: { details?: unknown } } } | undefined
	)?.error;
	if (!error) return false;
	const text = [error.message, error.error_user_msg, error.error_data?.details]
		.filter((t) => typeof t === 'string')
		.join(' ');
	return /marketing messages/i.test(text) && /(terms of service|onboard|not (enabled|eligible|available))/i.test(text);
}

/** The note an item carries when its marketing template went through /messages instead. */
export function fallbackNote(body: unknown): string {
	const error = (body as { error?: { message?: unknown } } | undefined)?.error;
	const meta = typeof error?.message === 'string' ? ` (Meta: "${error.message}")` : '';
	return `Sent through /messages, not the Marketing Messages API: this WhatsApp Business Account is not onboarded to it${meta}. Accept the Marketing Messages API terms in WhatsApp Manager to send marketing templates through it.`;
}

/** The output of a send: Meta's response, the endpoint used, and the fallback note if any. */
export function sentVia(body: IDataObject, endpoint: 'messages' | 'marketing_messages', note?: string): IDataObject {
	return { ...body, endpoint, ...(note ? { note } : {}) };
}
