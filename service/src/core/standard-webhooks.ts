// Standard Webhooks signatures (https://www.standardwebhooks.com, GUIDE §4), used for bundle
// ingestion and for the service → n8n fan-out. Pure: no Express, no I/O; the clock is a parameter.
//   webhook-id:        unique message id (the idempotency key)
//   webhook-timestamp: integer Unix seconds
//   webhook-signature: space-separated list of "v1,<base64 HMAC-SHA256(key, `${id}.${timestamp}.${body}`)>"
// Secrets are "whsec_" + base64 key bytes. Several secrets (rotation) and several signatures are
// accepted. Each failure is its own error type.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const DEFAULT_TOLERANCE_SECONDS = 300;
const SECRET_PREFIX = 'whsec_';

export type WebhookVerificationFailure =
	| 'missing_headers'
	| 'invalid_timestamp'
	| 'timestamp_too_old'
	| 'timestamp_too_new'
	| 'invalid_signature_header'
	| 'no_matching_signature'
	| 'no_secrets';

export class WebhookVerificationError extends Error {
	constructor(
		readonly reason: WebhookVerificationFailure,
		message: string,
	) {
		super(message);
		this.name = 'WebhookVerificationError';
	}
}

export class InvalidSecretError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'InvalidSecretError';
	}
}

/** Decodes a `whsec_…` secret into its key bytes; throws InvalidSecretError when it is not one. */
export function decodeSecret(secret: string): Buffer {
	if (!secret.startsWith(SECRET_PREFIX)) throw new InvalidSecretError('A Standard Webhooks secret starts with "whsec_".');
	const base64 = secret.slice(SECRET_PREFIX.length);
	if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) throw new InvalidSecretError('A Standard Webhooks secret is "whsec_" followed by base64.');
	const key = Buffer.from(base64, 'base64');
	if (key.length < 24 || key.length > 64) {
		throw new InvalidSecretError('A Standard Webhooks secret key must be between 24 and 64 bytes.');
	}
	return key;
}

export interface WebhookHeaders {
	'webhook-id'?: string;
	'webhook-timestamp'?: string;
	'webhook-signature'?: string;
}

function signedContent(id: string, timestamp: string, body: Buffer | string): Buffer {
	return Buffer.concat([Buffer.from(`${id}.${timestamp}.`, 'utf8'), Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8')]);
}

/** The `v1,<base64>` signature of one message with one secret. */
export function sign(secret: string | Buffer, id: string, timestamp: number | string, body: Buffer | string): string {
	const key = Buffer.isBuffer(secret) ? secret : decodeSecret(secret);
	return `v1,${createHmac('sha256', key).update(signedContent(id, String(timestamp), body)).digest('base64')}`;
}

/** Headers for sending a signed message (signatures of every given secret, for rotation). */
export function signHeaders(secrets: ReadonlyArray<string | Buffer>, id: string, timestamp: number, body: Buffer | string): Required<WebhookHeaders> {
	return {
		'webhook-id': id,
		'webhook-timestamp': String(timestamp),
		'webhook-signature': secrets.map((secret) => sign(secret, id, timestamp, body)).join(' '),
	};
}

export interface VerifyOptions {
	/** Current time in Unix seconds. */
	nowSeconds: number;
	toleranceSeconds?: number;
}

export interface VerifiedWebhook {
	id: string;
	timestamp: number;
	/** Index of the secret whose signature matched (the signing key). */
	secretIndex: number;
}

/**
 * Verifies a message: headers present, timestamp within tolerance in both directions, and one of the
 * listed v1 signatures made with one of the secrets (constant-time compare).
 */
export function verify(
	body: Buffer | string,
	headers: WebhookHeaders,
	secrets: ReadonlyArray<string | Buffer>,
	options: VerifyOptions,
): VerifiedWebhook {
	if (secrets.length === 0) throw new WebhookVerificationError('no_secrets', 'No signing secret is configured.');
	const id = headers['webhook-id'];
	const timestampHeader = headers['webhook-timestamp'];
	const signatureHeader = headers['webhook-signature'];
	const missing = (['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const).filter((name) => !headers[name]);
	if (missing.length > 0 || !id || !timestampHeader || !signatureHeader) {
		throw new WebhookVerificationError('missing_headers', `Missing Standard Webhooks header(s): ${missing.join(', ')}.`);
	}
	if (!/^\d{1,12}$/.test(timestampHeader)) {
		throw new WebhookVerificationError('invalid_timestamp', 'webhook-timestamp must be an integer number of seconds since the Unix epoch.');
	}
	const timestamp = Number(timestampHeader);
	const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
	if (timestamp < options.nowSeconds - tolerance) {
		throw new WebhookVerificationError('timestamp_too_old', `webhook-timestamp is more than ${tolerance} s in the past: sign each delivery attempt afresh and check the sender's clock.`);
	}
	if (timestamp > options.nowSeconds + tolerance) {
		throw new WebhookVerificationError('timestamp_too_new', `webhook-timestamp is more than ${tolerance} s in the future: check the sender's clock.`);
	}
	const given: Buffer[] = [];
	for (const part of signatureHeader.split(' ')) {
		if (!part) continue;
		const comma = part.indexOf(',');
		if (comma < 1) {
			throw new WebhookVerificationError('invalid_signature_header', 'webhook-signature must be a space-separated list of "v1,<base64 signature>".');
		}
		// Other versions (e.g. v1a, asymmetric) are ignored, as the specification requires.
		if (part.slice(0, comma) === 'v1') given.push(Buffer.from(part.slice(comma + 1), 'base64'));
	}
	if (given.length === 0) {
		throw new WebhookVerificationError('no_matching_signature', 'webhook-signature holds no v1 signature.');
	}
	const content = signedContent(id, timestampHeader, body);
	for (let index = 0; index < secrets.length; index++) {
		const secret = secrets[index];
		const key = Buffer.isBuffer(secret) ? secret : decodeSecret(secret);
		const expected = createHmac('sha256', key).update(content).digest();
		for (const signature of given) {
			if (signature.length === expected.length && timingSafeEqual(signature, expected)) {
				return { id, timestamp, secretIndex: index };
			}
		}
	}
	throw new WebhookVerificationError(
		'no_matching_signature',
		'No webhook-signature matches the body with any configured secret: check the signing secret (INGEST_SIGNING_SECRETS) and sign the exact bytes sent.',
	);
}
