// One error shape everywhere: `{ error: { code, message, details? } }`.
import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { isConnectionError } from '../db/client';

export interface ErrorBody {
	error: { code: string; message: string; details?: unknown };
}

export class HttpError extends Error {
	constructor(
		readonly status: number,
		readonly code: string,
		message: string,
		readonly details?: unknown,
	) {
		super(message);
	}
}

export function sendError(res: Response, status: number, code: string, message: string, details?: unknown): void {
	const body: ErrorBody = { error: details === undefined ? { code, message } : { code, message, details } };
	res.statusMessage = reasonPhrase(message);
	res.status(status).json(body);
}

/**
 * The message as the HTTP reason phrase too: clients that show only the status line (n8n's credential
 * test shows "Unauthorized" otherwise) show what is wrong. ASCII without control characters, as HTTP allows.
 */
export function reasonPhrase(message: string): string {
	return message
		.replace(/[‘’]/g, "'")
		.replace(/[“”]/g, '"')
		.replace(/[–—]/g, '-')
		.replace(/[^\x20-\x7e]+/g, ' ')
		.replace(/ {2,}/g, ' ')
		.slice(0, 300);
}

export const DATABASE_UNAVAILABLE = 'The database is unavailable; nothing was stored. Retry later.';

/** 503 `database_unavailable` with `Retry-After`: the database is away; the same request may be sent again. */
export function sendDatabaseUnavailable(res: Response, message = DATABASE_UNAVAILABLE): void {
	res.setHeader('Retry-After', '5');
	sendError(res, 503, 'database_unavailable', message);
}

/**
 * Last middleware: maps body-parser errors to 4xx, an unreachable database to 503 (senders retry),
 * anything else to 500 (logged with the request id, never with the body).
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
	return (error, req, res, _next) => {
		if (res.headersSent) return;
		const e = error as { type?: string; status?: number; statusCode?: number; message?: string; limit?: number };
		if (error instanceof HttpError) return sendError(res, error.status, error.code, error.message, error.details);
		if (e.type === 'entity.too.large') {
			return sendError(res, 413, 'payload_too_large', `The body is larger than ${e.limit} bytes (BODY_LIMIT_BYTES).`);
		}
		if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') {
			return sendError(res, 415, 'unsupported_encoding', e.message ?? 'Unsupported content encoding or charset.');
		}
		if (e.type === 'request.aborted')
			return sendError(res, 400, 'request_aborted', 'The request was aborted before its body arrived.');
		if (e.type === 'entity.verify.failed' || e.type === 'entity.parse.failed') {
			return sendError(res, 400, 'invalid_json', 'The body is not valid JSON.');
		}
		const status = e.status ?? e.statusCode;
		if (typeof status === 'number' && status >= 400 && status < 500) {
			return sendError(res, status, 'bad_request', e.message ?? 'Bad request.');
		}
		if (isConnectionError(error)) {
			req.log?.warn({ err: { message: e.message, code: (error as { code?: string }).code } }, 'database unavailable');
			return sendDatabaseUnavailable(res);
		}
		(req.log ?? logger).error({ err: error }, 'unhandled error');
		sendError(res, 500, 'internal_error', 'An unexpected error occurred; it has been logged.');
	};
}
