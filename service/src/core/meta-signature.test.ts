import { randomBytes } from 'node:crypto';
import { MetaSignatureError, signMetaBody, verifyMetaSignature } from './meta-signature';

function reason(fn: () => unknown): string {
	try {
		fn();
	} catch (error) {
		if (error instanceof MetaSignatureError) return error.reason;
		throw error;
	}
	return 'verified';
}

describe('Meta X-Hub-Signature-256', () => {
	const secret = randomBytes(16).toString('hex');
	const body = Buffer.from('{"object":"whatsapp_business_account","entry":[]}');

	it('verifies the HMAC-SHA256 of the raw body with the app secret', () => {
		expect(verifyMetaSignature(body, signMetaBody(body, secret), [secret])).toBe(0);
	});

	it('accepts upper-case hex and a second secret (rotation)', () => {
		const other = randomBytes(16).toString('hex');
		const header = `sha256=${signMetaBody(body, other).slice('sha256='.length).toUpperCase()}`;
		expect(verifyMetaSignature(body, header, [secret, other])).toBe(1);
	});

	it('verifies the exact bytes: \\u00e4 escapes and raw UTF-8 emoji, which re-serialized JSON would break', () => {
		const raw = Buffer.from('{"text":"K\\u00e4se \\u00e4\\u00f6\\u00fc","emoji":"😀🎉","n":1.50}', 'utf8');
		const header = signMetaBody(raw, secret);
		expect(verifyMetaSignature(raw, header, [secret])).toBe(0);
		// JSON.stringify(JSON.parse(raw)) turns the escapes into raw "ä" and 1.50 into 1.5: other bytes.
		const reserialized = Buffer.from(JSON.stringify(JSON.parse(raw.toString('utf8'))), 'utf8');
		expect(reserialized.equals(raw)).toBe(false);
		expect(reason(() => verifyMetaSignature(reserialized, header, [secret]))).toBe('signature_mismatch');
	});

	it('rejects a missing header', () => {
		expect(reason(() => verifyMetaSignature(body, undefined, [secret]))).toBe('missing_signature');
		expect(reason(() => verifyMetaSignature(body, ' ', [secret]))).toBe('missing_signature');
	});

	it.each(['sha1=abc', 'sha256=', 'sha256=xyz', `sha256=${'a'.repeat(63)}`, 'abc'])(
		'rejects the malformed header %j',
		(header) => {
			expect(reason(() => verifyMetaSignature(body, header, [secret]))).toBe('malformed_signature');
		},
	);

	it('rejects a signature made with another secret or over other bytes', () => {
		expect(reason(() => verifyMetaSignature(body, signMetaBody(body, 'another-secret'), [secret]))).toBe(
			'signature_mismatch',
		);
		const tampered = Buffer.from(body);
		tampered[tampered.length - 2] = 0x20;
		expect(reason(() => verifyMetaSignature(tampered, signMetaBody(body, secret), [secret]))).toBe(
			'signature_mismatch',
		);
	});

	it('refuses to verify with no secret configured', () => {
		expect(reason(() => verifyMetaSignature(body, signMetaBody(body, secret), []))).toBe('no_secrets');
	});
});
