// Meta webhook signatures (GUIDE §4): `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw
// body bytes)>`. Pure: no Express, no I/O. Several app secrets are accepted so a secret can be rotated
// without dropping deliveries. Each failure is its own error type.
import { createHmac, timingSafeEqual } from 'node:crypto';

type MetaSignatureFailure = 'missing_signature' | 'malformed_signature' | 'signature_mismatch' | 'no_secrets';

export class MetaSignatureError extends Error {
	constructor(
		readonly reason: MetaSignatureFailure,
		message: string,
	) {
		super(message);
		this.name = 'MetaSignatureError';
	}
}

const HEADER_PATTERN = /^sha256=([0-9a-fA-F]{64})$/;

export function signMetaBody(body: Buffer | string, appSecret: string): string {
	return `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;
}

/**
 * Verifies `header` against the raw `body` bytes with each secret in turn (constant-time compare).
 * Returns the index of the secret that matched; throws MetaSignatureError otherwise.
 */
export function verifyMetaSignature(body: Buffer, header: string | undefined, appSecrets: readonly string[]): number {
	if (appSecrets.length === 0)
		throw new MetaSignatureError('no_secrets', 'No Meta app secret is configured (META_APP_SECRETS).');
	if (header === undefined || header.trim() === '') {
		throw new MetaSignatureError(
			'missing_signature',
			'The X-Hub-Signature-256 header is missing: Meta signs every webhook POST with the app secret.',
		);
	}
	const match = HEADER_PATTERN.exec(header.trim());
	if (!match) {
		throw new MetaSignatureError(
			'malformed_signature',
			'The X-Hub-Signature-256 header must be "sha256=" followed by 64 hex digits.',
		);
	}
	const given = Buffer.from(match[1].toLowerCase(), 'hex');
	for (let index = 0; index < appSecrets.length; index++) {
		const expected = createHmac('sha256', appSecrets[index]).update(body).digest();
		if (timingSafeEqual(expected, given)) return index;
	}
	throw new MetaSignatureError(
		'signature_mismatch',
		'The X-Hub-Signature-256 signature does not match the body: check that META_APP_SECRETS holds the app secret of the Meta app that sends this webhook.',
	);
}
