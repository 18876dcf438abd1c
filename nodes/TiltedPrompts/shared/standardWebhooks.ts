// Standard Webhooks (https://www.standardwebhooks.com) signing and verification: one small pure
// module, no I/O. The node signs bundles with it; the trigger verifies the service's deliveries.
// The service has its own verifier (the published package must be self-contained); tests prove
// that both agree, and that this one matches the specification's example vector.
import { createHmac, timingSafeEqual } from 'crypto';

export const SECRET_PREFIX = 'whsec_';
/** Seconds a timestamp may lie in the past or the future. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

export type WebhookVerificationErrorCode =
	| 'invalid_secret'
	| 'missing_headers'
	| 'invalid_timestamp'
	| 'timestamp_too_old'
	| 'timestamp_too_new'
	| 'no_matching_signature';

/** One typed error per failure, so callers can answer precisely and tests can assert each case. */
export class WebhookVerificationError extends Error {
	constructor(
		readonly code: WebhookVerificationErrorCode,
		message: string,
	) {
		super(message);
		this.name = 'WebhookVerificationError';
	}
}

/** Decodes a `whsec_<base64>` secret (the prefix is optional, as in the reference libraries). */
export function secretKey(secret: string): Buffer {
	const trimmed = secret.trim();
	const encoded = trimmed.startsWith(SECRET_PREFIX) ? trimmed.slice(SECRET_PREFIX.length) : trimmed;
	if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) {
		throw new WebhookVerificationError(
			'invalid_secret',
			'The signing secret is not a whsec_ secret: expected "whsec_" followed by base64',
		);
	}
	const key = Buffer.from(encoded, 'base64');
	if (key.length < 16) {
		throw new WebhookVerificationError('invalid_secret', 'The signing secret is too short: it must decode to at least 16 bytes');
	}
	return key;
}

function toBuffer(body: string | Buffer): Buffer {
	return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
}

function hmac(key: Buffer, id: string, timestamp: string, body: Buffer): Buffer {
	return createHmac('sha256', key).update(`${id}.${timestamp}.`, 'utf8').update(body).digest();
}

/** `v1,<base64 HMAC-SHA256(key, "id.timestamp.body")>` */
export function sign(secret: string, id: string, timestamp: number | string, body: string | Buffer): string {
	return `v1,${hmac(secretKey(secret), id, String(timestamp), toBuffer(body)).toString('base64')}`;
}

export type SignedHeaders = {
	'webhook-id': string;
	'webhook-timestamp': string;
	'webhook-signature': string;
};

/** The three headers for one message; several secrets give several signatures (key rotation). */
export function signedHeaders(
	secrets: string | string[],
	id: string,
	timestamp: number,
	body: string | Buffer,
): SignedHeaders {
	const list = Array.isArray(secrets) ? secrets : [secrets];
	return {
		'webhook-id': id,
		'webhook-timestamp': String(timestamp),
		'webhook-signature': list.map((secret) => sign(secret, id, timestamp, body)).join(' '),
	};
}

type HeaderBag = Record<string, string | string[] | undefined>;

function header(headers: HeaderBag, name: string): string | undefined {
	const direct = headers[name] ?? headers[name.toLowerCase()];
	const value =
		direct ?? Object.entries(headers).find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];
	return Array.isArray(value) ? value[0] : value;
}

export interface VerifiedMessage {
	id: string;
	timestamp: number;
}

/**
 * Verifies a delivery over its exact body bytes. Accepts when any `v1` signature in the header
 * matches any of the secrets; throws a WebhookVerificationError otherwise.
 */
export function verify(
	secrets: string | string[],
	headers: HeaderBag,
	body: string | Buffer,
	options: { toleranceSeconds?: number; nowSeconds?: number } = {},
): VerifiedMessage {
	const id = header(headers, 'webhook-id');
	const timestampHeader = header(headers, 'webhook-timestamp');
	const signatureHeader = header(headers, 'webhook-signature');
	if (!id || !timestampHeader || !signatureHeader) {
		throw new WebhookVerificationError(
			'missing_headers',
			'Missing webhook-id, webhook-timestamp or webhook-signature header',
		);
	}
	if (!/^\d{1,12}$/.test(timestampHeader)) {
		throw new WebhookVerificationError('invalid_timestamp', 'The webhook-timestamp header is not a Unix time in seconds');
	}
	const timestamp = Number(timestampHeader);
	const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
	const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
	if (timestamp < now - tolerance) {
		throw new WebhookVerificationError('timestamp_too_old', `The message timestamp is more than ${tolerance} s old`);
	}
	if (timestamp > now + tolerance) {
		throw new WebhookVerificationError('timestamp_too_new', `The message timestamp is more than ${tolerance} s in the future`);
	}

	const bytes = toBuffer(body);
	const keys = (Array.isArray(secrets) ? secrets : [secrets]).map(secretKey);
	if (keys.length === 0) throw new WebhookVerificationError('invalid_secret', 'No signing secret configured');
	const expected = keys.map((key) => hmac(key, id, timestampHeader, bytes));
	for (const candidate of signatureHeader.split(' ')) {
		const comma = candidate.indexOf(',');
		if (comma < 0 || candidate.slice(0, comma) !== 'v1') continue;
		const given = Buffer.from(candidate.slice(comma + 1), 'base64');
		for (const digest of expected) {
			if (given.length === digest.length && timingSafeEqual(given, digest)) return { id, timestamp };
		}
	}
	throw new WebhookVerificationError('no_matching_signature', 'No webhook-signature matches the signing secret');
}
