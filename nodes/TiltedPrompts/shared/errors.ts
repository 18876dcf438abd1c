// Pure: turns a TiltedPrompts service error response (`{ error: { code, message, details? } }`)
// into what the user reads in n8n — what was wrong, and what to do about it.

import type { FieldError } from '../../shared/errors';

export type { FieldError };

export interface ServiceErrorSummary {
	status: number;
	code: string;
	/** One line: what went wrong and the fix. */
	message: string;
	/** Further detail: the service's own message, one line per invalid field. */
	description: string;
	fields: FieldError[];
}

type Json = unknown;

function isObject(value: Json): value is Record<string, Json> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fieldPath(path: Json): string {
	if (Array.isArray(path)) {
		return path
			.map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`))
			.join('');
	}
	return String(path ?? '');
}

/**
 * Field errors from the shapes a zod-validating service sends: an array of `{ path|field, message }`
 * (zod issues), `{ fieldErrors: { name: [msg] } }` (zod flatten), `{ fields: … }`, or a plain map.
 */
export function extractFieldErrors(details: Json): FieldError[] {
	if (Array.isArray(details)) {
		return details.flatMap((entry): FieldError[] => {
			if (typeof entry === 'string') return [{ field: '', message: entry }];
			if (!isObject(entry)) return [];
			const field = fieldPath(entry.path ?? entry.field ?? entry.name ?? entry.loc ?? '');
			const message = String(entry.message ?? entry.msg ?? entry.error ?? 'is invalid');
			return [{ field, message }];
		});
	}
	if (!isObject(details)) return [];
	for (const key of ['fieldErrors', 'fields', 'issues', 'errors']) {
		if (key in details) {
			const nested = extractFieldErrors(details[key]);
			const formErrors = Array.isArray(details.formErrors)
				? (details.formErrors as Json[]).map((message) => ({ field: '', message: String(message) }))
				: [];
			return [...formErrors, ...nested];
		}
	}
	return Object.entries(details).flatMap(([field, value]): FieldError[] => {
		if (typeof value === 'string') return [{ field, message: value }];
		if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
			return (value as string[]).map((message) => ({ field, message }));
		}
		return [];
	});
}

const FIX_BY_STATUS: Record<number, string> = {
	400: 'check the fields of this node',
	401: 'check the API key in the TiltedPrompts credential, or create a new one with `npm run service -- keys create`',
	403: 'create an API key with the scope this operation needs (`npm run service -- keys create --scopes …`)',
	404: 'check the ID or WhatsApp number; it may have been deleted',
	409: 'the record changed or already exists; fetch it again and retry',
	413: 'the request is too large; send fewer items per request',
	422: 'correct the fields listed below',
	429: 'the service limits how often you may call it; wait a minute, or spread the calls out',
};

function fixFor(status: number): string {
	if (FIX_BY_STATUS[status]) return FIX_BY_STATUS[status];
	if (status >= 500) return 'the service had a problem; retry later, and check the service logs if it persists';
	return 'check the fields of this node';
}

export function summarizeServiceError(status: number, body: Json): ServiceErrorSummary {
	const error = isObject(body) && isObject(body.error) ? body.error : undefined;
	const code = String(error?.code ?? (status >= 500 ? 'service_error' : `http_${status}`));
	const serviceMessage =
		typeof error?.message === 'string'
			? error.message
			: typeof body === 'string' && body.trim()
				? body.trim().slice(0, 300)
				: `HTTP ${status}`;
	const fields = extractFieldErrors(error?.details);
	const message = `TiltedPrompts service error ${status} (${code}): ${serviceMessage.replace(/\.$/, '')} — ${fixFor(status)}`;
	const lines = fields.map(({ field, message: text }) => (field ? `• ${field}: ${text}` : `• ${text}`));
	const description = [serviceMessage, ...lines].join('\n');
	return { status, code, message, description, fields };
}
