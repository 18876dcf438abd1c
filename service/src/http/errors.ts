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

export function errorBody(code: string, message: string, details?: unknown): ErrorBody {
	return { error: details === undefined ? { code, message } : { code, message, details } };
}

export function sendError(res: Response, status: number, code: string, message: string, details?: unknown): void {
	res.statusMessage = reasonPhrase(message);
	res.status(status).json(errorBody(code, message, details));
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

/** What a failed request is answered: status, error body, extra headers, and whether to log it. */
export interface ErrorAnswer {
	status: number;
	code: string;
	message: string;
	details?: unknown;
	headers?: Record<string, string>;
	/** `warn`: the database is away; `error`: unexpected (logged with the request id, never the body). */
	log?: 'warn' | 'error';
}

/**
 * Maps a thrown error to its answer: HttpError as it says, body-parser errors to 4xx, an unreachable
 * database to 503 with Retry-After (senders retry), anything else to 500.
 */
export function errorAnswer(error: unknown): ErrorAnswer {
	const e = error as { type?: string; status?: number; statusCode?: number; message?: string; limit?: number };
	if (error instanceof HttpError)
		return { status: error.status, code: error.code, message: error.message, details: error.details };
	if (e.type === 'entity.too.large')
		return {
			status: 413,
			code: 'payload_too_large',
			message: `The body is larger than ${e.limit} bytes (BODY_LIMIT_BYTES).`,
		};
	if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported')
		return {
			status: 415,
			code: 'unsupported_encoding',
			message: e.message ?? 'Unsupported content encoding or charset.',
		};
	if (e.type === 'request.aborted')
		return { status: 400, code: 'request_aborted', message: 'The request was aborted before its body arrived.' };
	if (e.type === 'entity.verify.failed' || e.type === 'entity.parse.failed')
		return { status: 400, code: 'invalid_json', message: 'The body is not valid JSON.' };
	const status = e.status ?? e.statusCode;
	if (typeof status === 'number' && status >= 400 && status < 500)
		return { status, code: 'bad_request', message: e.message ?? 'Bad request.' };
	if (isConnectionError(error))
		return {
			status: 503,
			code: 'database_unavailable',
			message: DATABASE_UNAVAILABLE,
			headers: { 'Retry-After': '5' },
			log: 'warn',
		};
	return {
		status: 500,
		code: 'internal_error',
		message: 'An unexpected error occurred; it has been logged.',
		log: 'error',
	};
}

/** Logs what `errorAnswer` says to log (never the body). */
export function logErrorAnswer(log: Logger, answer: ErrorAnswer, error: unknown): void {
	if (answer.log === 'warn')
		log.warn(
			{ err: { message: (error as Error).message, code: (error as { code?: string }).code } },
			'database unavailable',
		);
	else if (answer.log === 'error') log.error({ err: error }, 'unhandled error');
}

/** Last middleware: answers every error as `errorAnswer` says. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
	return (error, req, res, _next) => {
		if (res.headersSent) return;
		const answer = errorAnswer(error);
		logErrorAnswer(req.log ?? logger, answer, error);
		for (const [name, value] of Object.entries(answer.headers ?? {})) res.setHeader(name, value);
		sendError(res, answer.status, answer.code, answer.message, answer.details);
	};
}
