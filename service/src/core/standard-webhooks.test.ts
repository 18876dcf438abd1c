import { randomBytes } from 'node:crypto';
import {
	decodeSecret,
	InvalidSecretError,
	sign,
	signHeaders,
	verify,
	WebhookVerificationError,
	type WebhookHeaders,
} from './standard-webhooks';

// The example of the Standard Webhooks specification (spec/standard-webhooks.md, "Signature scheme").
const SPEC = {
	secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
	id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
	timestamp: 1614265330,
	body: '{"test": 2432232314}',
	signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

function reason(fn: () => unknown): string {
	try {
		fn();
	} catch (error) {
		if (error instanceof WebhookVerificationError) return error.code;
		throw error;
	}
	return 'verified';
}

describe('Standard Webhooks signatures', () => {
	it('agrees with the specification’s example vector', () => {
		expect(sign(SPEC.secret, SPEC.id, SPEC.timestamp, SPEC.body)).toBe(SPEC.signature);
		const verified = verify(
			SPEC.body,
			{ 'webhook-id': SPEC.id, 'webhook-timestamp': String(SPEC.timestamp), 'webhook-signature': SPEC.signature },
			[SPEC.secret],
			{ nowSeconds: SPEC.timestamp + 10 },
		);
		expect(verified).toEqual({ id: SPEC.id, timestamp: SPEC.timestamp, secretIndex: 0 });
	});

	const now = 1_700_000_000;
	const secret = newSecret();
	const body = Buffer.from('{"bundle_id":"b1","assets":[]}');
	const headers = (overrides: Partial<WebhookHeaders> = {}): WebhookHeaders => ({
		...signHeaders([secret], 'msg_1', now, body),
		...overrides,
	});

	it('accepts a signature made with any configured secret (rotation) and reports which one', () => {
		const old = newSecret();
		expect(verify(body, signHeaders([old], 'msg_1', now, body), [secret, old], { nowSeconds: now }).secretIndex).toBe(
			1,
		);
	});

	it('accepts a header listing several signatures when one matches, ignoring other versions', () => {
		const other = sign(newSecret(), 'msg_1', now, body);
		const mine = sign(secret, 'msg_1', now, body);
		expect(
			reason(() =>
				verify(body, headers({ 'webhook-signature': `v1a,abcd ${other} ${mine}` }), [secret], { nowSeconds: now }),
			),
		).toBe('verified');
	});

	it.each(['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const)('rejects a message without %s', (name) => {
		expect(reason(() => verify(body, headers({ [name]: undefined }), [secret], { nowSeconds: now }))).toBe(
			'missing_headers',
		);
	});

	it.each(['abc', '1.5', '-12', '', '99999999999999999999'])(
		'rejects the non-integer or absurd timestamp %j',
		(timestamp) => {
			const result = reason(() =>
				verify(body, headers({ 'webhook-timestamp': timestamp }), [secret], { nowSeconds: now }),
			);
			expect(['invalid_timestamp', 'missing_headers']).toContain(result);
			expect(result).not.toBe('verified');
		},
	);

	it('rejects timestamps beyond 300 s in the past and in the future, accepts them at the edge', () => {
		const at = (ts: number) =>
			reason(() => verify(body, signHeaders([secret], 'msg_1', ts, body), [secret], { nowSeconds: now }));
		expect(at(now - 301)).toBe('timestamp_too_old');
		expect(at(now + 301)).toBe('timestamp_too_new');
		expect(at(now - 300)).toBe('verified');
		expect(at(now + 300)).toBe('verified');
	});

	it('rejects a wrong secret, a changed body, a changed id and a changed timestamp', () => {
		expect(reason(() => verify(body, headers(), [newSecret()], { nowSeconds: now }))).toBe('no_matching_signature');
		expect(
			reason(() => verify(Buffer.from('{"bundle_id":"b2","assets":[]}'), headers(), [secret], { nowSeconds: now })),
		).toBe('no_matching_signature');
		expect(reason(() => verify(body, headers({ 'webhook-id': 'msg_2' }), [secret], { nowSeconds: now }))).toBe(
			'no_matching_signature',
		);
		expect(
			reason(() => verify(body, headers({ 'webhook-timestamp': String(now + 1) }), [secret], { nowSeconds: now })),
		).toBe('no_matching_signature');
	});

	it('rejects a header without any v1 signature and a malformed header', () => {
		expect(
			reason(() => verify(body, headers({ 'webhook-signature': 'v1a,abcd' }), [secret], { nowSeconds: now })),
		).toBe('no_matching_signature');
		expect(reason(() => verify(body, headers({ 'webhook-signature': 'garbage' }), [secret], { nowSeconds: now }))).toBe(
			'invalid_signature_header',
		);
	});

	it('refuses to verify with no secret configured', () => {
		expect(reason(() => verify(body, headers(), [], { nowSeconds: now }))).toBe('no_secrets');
	});

	it('rejects secrets that are not whsec_ base64 of 24–64 bytes', () => {
		expect(() => decodeSecret('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toThrow(InvalidSecretError);
		expect(() => decodeSecret('whsec_not base64!')).toThrow(InvalidSecretError);
		expect(() => decodeSecret(`whsec_${randomBytes(8).toString('base64')}`)).toThrow(InvalidSecretError);
		expect(decodeSecret(SPEC.secret)).toHaveLength(24);
	});
});
