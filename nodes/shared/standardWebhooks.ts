// Standard Webhooks (https://www.standardwebhooks.com, GUIDE §4): signing and verification in one
// small pure module (node:crypto only, no I/O; the clock is a parameter). The published node package
// and the service compile this same file: the service's service/src/core/standard-webhooks.ts is a
// symbolic link to it. One contract for both:
//   webhook-id:        unique message id (the idempotency key)
//   webhook-timestamp: integer Unix seconds, accepted within 300 s in the past or the future
//   webhook-signature: space-separated "v1,<base64 HMAC-SHA256(key, `${id}.${timestamp}.${body}`)>";
//                      several signatures (key rotation); other versions (v1a, …) are ignored
//   secrets:           "whsec_" + base64 of a 24–64-byte key (surrounding whitespace is ignored)
// Each failure is a WebhookVerificationError with its own code and one message.
import { createHmac, createSecretKey, KeyObject, timingSafeEqual } from 'node:crypto';

export const SECRET_PREFIX = 'whsec_';
/** Seconds a timestamp may lie in the past or the future. */
export const DEFAULT_TOLERANCE_SECONDS = 300;
const MIN_KEY_BYTES = 24;
const MAX_KEY_BYTES = 64;

export type WebhookVerificationErrorCode =
	| 'invalid_secret'
	| 'no_secrets'
	| 'missing_headers'
	| 'invalid_timestamp'
	| 'timestamp_too_old'
	| 'timestamp_too_new'
	| 'invalid_signature_header'
	| 'no_matching_signature';

/** One error class, one code and one message per failure, so callers answer precisely. */
export class WebhookVerificationError extends Error {
	constructor(
		readonly code: WebhookVerificationErrorCode,
		message: string,
	) {
		super(message);
		this.name = 'WebhookVerificationError';
	}
}

/** A secret that is not `whsec_` + base64 of 24–64 bytes (a configuration error, not a bad message). */
export class InvalidSecretError extends WebhookVerificationError {
	constructor(message: string) {
		super('invalid_secret', message);
		this.name = 'InvalidSecretError';
	}
}

/** A secret as text (`whsec_…`), as its decoded key bytes, or as a key prepared by `signingKey`. */
export type WebhookSecret = string | Buffer | KeyObject;

/** Decodes a `whsec_…` secret into its key bytes; throws InvalidSecretError when it is not one. */
export function decodeSecret(secret: string): Buffer {
	const trimmed = secret.trim();
	if (!trimmed.startsWith(SECRET_PREFIX)) {
		throw new InvalidSecretError('The signing secret does not start with "whsec_": copy the whole secret.');
	}
	const encoded = trimmed.slice(SECRET_PREFIX.length);
	if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) {
		throw new InvalidSecretError('The signing secret is not "whsec_" followed by base64.');
	}
	const key = Buffer.from(encoded, 'base64');
	if (key.length < MIN_KEY_BYTES || key.length > MAX_KEY_BYTES) {
		throw new InvalidSecretError(
			`The signing secret's key must be between ${MIN_KEY_BYTES} and ${MAX_KEY_BYTES} bytes.`,
		);
	}
	return key;
}

/**
 * The HMAC key of a secret, prepared once: an HMAC with a prepared key costs Node 24 ~4 µs, one with
 * the key's bytes 16–20 µs (it prepares a key from the bytes on every call). Callers that sign or
 * verify many messages with the same secret keep this instead of the secret.
 */
export function signingKey(secret: WebhookSecret): KeyObject {
	if (secret instanceof KeyObject) return secret;
	return createSecretKey(Buffer.isBuffer(secret) ? secret : decodeSecret(secret));
}

function toBuffer(body: string | Buffer): Buffer {
	return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
}

function hmac(key: KeyObject, id: string, timestamp: string, body: Buffer): Buffer {
	return createHmac('sha256', key).update(`${id}.${timestamp}.`, 'utf8').update(body).digest();
}

/** The `v1,<base64>` signature of one message with one secret. */
export function sign(secret: WebhookSecret, id: string, timestamp: number | string, body: string | Buffer): string {
	return `v1,${hmac(signingKey(secret), id, String(timestamp), toBuffer(body)).toString('base64')}`;
}

export type SignedHeaders = {
	'webhook-id': string;
	'webhook-timestamp': string;
	'webhook-signature': string;
};

/** The three headers of one message; each secret adds its signature (key rotation). */
export function signHeaders(
	secrets: ReadonlyArray<WebhookSecret>,
	id: string,
	timestamp: number,
	body: string | Buffer,
): SignedHeaders {
	return {
		'webhook-id': id,
		'webhook-timestamp': String(timestamp),
		'webhook-signature': secrets.map((secret) => sign(secret, id, timestamp, body)).join(' '),
	};
}

/** Request headers as Node, Express or n8n present them (any case, values possibly repeated). */
export type WebhookHeaders = Record<string, string | string[] | undefined>;

function header(headers: WebhookHeaders, name: string): string | undefined {
	const value = headers[name] ?? Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
	return Array.isArray(value) ? value[0] : value;
}

export interface VerifyOptions {
	/** Current time in Unix seconds (default: the system clock). */
	nowSeconds?: number;
	toleranceSeconds?: number;
}

export interface VerifiedWebhook {
	id: string;
	timestamp: number;
	/** Index of the secret whose signature matched (which key of a rotation signed). */
	secretIndex: number;
}

function readHeaders(headers: WebhookHeaders): { id: string; timestamp: string; signatures: string } {
	const id = header(headers, 'webhook-id');
	const timestamp = header(headers, 'webhook-timestamp');
	const signatures = header(headers, 'webhook-signature');
	if (!id || !timestamp || !signatures) {
		const missing = [
			['webhook-id', id],
			['webhook-timestamp', timestamp],
			['webhook-signature', signatures],
		].filter(([, value]) => !value);
		throw new WebhookVerificationError(
			'missing_headers',
			`Missing Standard Webhooks header(s): ${missing.map(([name]) => name).join(', ')}.`,
		);
	}
	return { id, timestamp, signatures };
}

function checkTimestamp(timestampHeader: string, options: VerifyOptions): number {
	if (!/^\d{1,12}$/.test(timestampHeader)) {
		throw new WebhookVerificationError(
			'invalid_timestamp',
			'webhook-timestamp must be an integer number of seconds since the Unix epoch.',
		);
	}
	const timestamp = Number(timestampHeader);
	const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
	const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
	if (timestamp < now - tolerance) {
		throw new WebhookVerificationError(
			'timestamp_too_old',
			`webhook-timestamp is more than ${tolerance} s in the past: sign each delivery attempt afresh and check the sender's clock.`,
		);
	}
	if (timestamp > now + tolerance) {
		throw new WebhookVerificationError(
			'timestamp_too_new',
			`webhook-timestamp is more than ${tolerance} s in the future: check the sender's clock.`,
		);
	}
	return timestamp;
}

/**
 * The decoded `v1` signatures of the header. A header none of whose tokens starts with a version
 * identifier ("v1,…", "v1a,…") is not a Standard Webhooks signature at all (another scheme's header).
 */
function v1Signatures(signatureHeader: string): Buffer[] {
	const tokens = signatureHeader.split(' ').filter(Boolean);
	if (!tokens.some((token) => /^v\d/.test(token))) {
		throw new WebhookVerificationError(
			'invalid_signature_header',
			'webhook-signature must be a space-separated list of "v1,<base64 signature>".',
		);
	}
	return tokens
		.filter((token) => token.startsWith('v1,'))
		.map((token) => Buffer.from(token.slice('v1,'.length), 'base64'));
}

/**
 * Verifies a message over its exact body bytes: headers present, timestamp within the tolerance in
 * both directions, and one of the header's v1 signatures made with one of the secrets (compared in
 * constant time). Returns the message id and timestamp, and which secret matched.
 */
export function verify(
	body: string | Buffer,
	headers: WebhookHeaders,
	secrets: ReadonlyArray<WebhookSecret>,
	options: VerifyOptions = {},
): VerifiedWebhook {
	if (secrets.length === 0) throw new WebhookVerificationError('no_secrets', 'No signing secret is configured.');
	const { id, timestamp: timestampHeader, signatures } = readHeaders(headers);
	const timestamp = checkTimestamp(timestampHeader, options);
	const keys = secrets.map(signingKey);
	const given = v1Signatures(signatures);
	const bytes = toBuffer(body);
	for (let index = 0; index < keys.length; index++) {
		const expected = hmac(keys[index], id, timestampHeader, bytes);
		if (given.some((signature) => signature.length === expected.length && timingSafeEqual(signature, expected))) {
			return { id, timestamp, secretIndex: index };
		}
	}
	throw new WebhookVerificationError(
		'no_matching_signature',
		'No webhook-signature matches the body with any configured secret: check the signing secret and sign the exact bytes sent.',
	);
}
