// Raw body capture for signed routes: signatures are checked over the exact bytes received, so the
// body is read as a Buffer (any content type) and parsed only after verification.
import express, { type RequestHandler } from 'express';
import { HttpError } from './errors';

export function rawBody(limitBytes: number): RequestHandler {
	return express.raw({ type: () => true, limit: limitBytes });
}

export function bodyBuffer(body: unknown): Buffer {
	return Buffer.isBuffer(body) ? body : Buffer.alloc(0);
}

/** Requires a JSON content type (415 otherwise) and parses the bytes (400 when not JSON). */
export function parseJsonBody(contentType: string | undefined, body: Buffer): unknown {
	return parseJsonText(contentType, body).json;
}

/** parseJsonBody, also giving the decoded text (for checks that are cheaper on the text than on the value). */
export function parseJsonText(contentType: string | undefined, body: Buffer): { json: unknown; text: string } {
	const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
	if (type !== 'application/json' && !/^application\/[a-z0-9.+-]+\+json$/.test(type)) {
		throw new HttpError(
			415,
			'unsupported_media_type',
			`Content-Type must be application/json (got ${type ? JSON.stringify(type) : 'none'}).`,
		);
	}
	if (body.length === 0) throw new HttpError(400, 'empty_body', 'The body is empty; a JSON object is expected.');
	const text = body.toString('utf8');
	try {
		return { json: JSON.parse(text), text };
	} catch (error) {
		throw new HttpError(400, 'invalid_json', `The body is not valid JSON: ${(error as Error).message}`);
	}
}
