import {
	decodeSecret,
	sign,
	signHeaders,
	signingKey,
	verify,
	WebhookVerificationError,
	type WebhookVerificationErrorCode,
} from '../../../nodes/shared/standardWebhooks';

// The Standard Webhooks specification's published example.
const SPEC = {
	secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
	id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
	timestamp: 1614265330,
	body: '{"test": 2432232314}',
	signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};
const OTHER_SECRET = 'whsec_' + Buffer.alloc(32, 7).toString('base64');

function headersFor(signature = SPEC.signature, timestamp = String(SPEC.timestamp)) {
	return { 'webhook-id': SPEC.id, 'webhook-timestamp': timestamp, 'webhook-signature': signature };
}

function failureCode(fn: () => unknown): WebhookVerificationErrorCode | 'no error' {
	try {
		fn();
		return 'no error';
	} catch (error) {
		if (error instanceof WebhookVerificationError) return error.code;
		throw error;
	}
}

describe('Standard Webhooks signing in node code', () => {
	it('produces the specification example signature', () => {
		expect(sign(SPEC.secret, SPEC.id, SPEC.timestamp, SPEC.body)).toBe(SPEC.signature);
	});

	it('verifies the specification example at its own time', () => {
		expect(verify(SPEC.body, headersFor(), [SPEC.secret], { nowSeconds: SPEC.timestamp })).toEqual({
			id: SPEC.id,
			timestamp: SPEC.timestamp,
			secretIndex: 0,
		});
	});

	it('signs and verifies alike with the secret as text, as its key bytes and as a prepared key', () => {
		const forms = [
			SPEC.secret,
			decodeSecret(SPEC.secret),
			signingKey(SPEC.secret),
			signingKey(decodeSecret(SPEC.secret)),
		];
		for (const secret of forms) {
			expect(sign(secret, SPEC.id, SPEC.timestamp, SPEC.body)).toBe(SPEC.signature);
			expect(
				verify(SPEC.body, headersFor(), [signingKey(OTHER_SECRET), secret], { nowSeconds: SPEC.timestamp }).secretIndex,
			).toBe(1);
		}
		expect(signingKey(forms[2])).toBe(forms[2]);
		expect(() => signingKey('whsec_c2hvcnQ=')).toThrow(/between 24 and 64 bytes/);
	});

	it('signs with every secret during a rotation, and either secret verifies', () => {
		const headers = signHeaders([SPEC.secret, OTHER_SECRET], 'msg_1', 1_700_000_000, '{"a":1}');
		expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
		expect(verify('{"a":1}', headers, [OTHER_SECRET], { nowSeconds: 1_700_000_000 }).id).toBe('msg_1');
		expect(verify('{"a":1}', headers, [SPEC.secret], { nowSeconds: 1_700_000_000 }).id).toBe('msg_1');
	});

	it('accepts a header with an unknown scheme next to a valid v1 signature', () => {
		const headers = headersFor(`v1a,abc ${SPEC.signature}`);
		expect(failureCode(() => verify(SPEC.body, headers, [SPEC.secret], { nowSeconds: SPEC.timestamp }))).toBe(
			'no error',
		);
	});

	it('verifies the exact bytes: raw UTF-8 and \\u escapes are different bodies', () => {
		const raw = Buffer.from('{"name":"Jörg 🎉"}', 'utf8');
		const escaped = '{"name":"J\\u00f6rg \\ud83c\\udf89"}';
		const headers = signHeaders([SPEC.secret], 'msg_utf8', SPEC.timestamp, raw);
		expect(failureCode(() => verify(raw, headers, [SPEC.secret], { nowSeconds: SPEC.timestamp }))).toBe('no error');
		expect(failureCode(() => verify(escaped, headers, [SPEC.secret], { nowSeconds: SPEC.timestamp }))).toBe(
			'no_matching_signature',
		);
	});

	it.each<[string, () => unknown, WebhookVerificationErrorCode]>([
		[
			'a tampered body',
			() => verify('{"test": 2432232315}', headersFor(), [SPEC.secret], { nowSeconds: SPEC.timestamp }),
			'no_matching_signature',
		],
		[
			'the wrong secret',
			() => verify(SPEC.body, headersFor(), [OTHER_SECRET], { nowSeconds: SPEC.timestamp }),
			'no_matching_signature',
		],
		[
			'a truncated signature',
			() => verify(SPEC.body, headersFor(SPEC.signature.slice(0, 20)), [SPEC.secret], { nowSeconds: SPEC.timestamp }),
			'no_matching_signature',
		],
		[
			'a v1 signature missing its comma',
			() =>
				verify(SPEC.body, headersFor('v1' + SPEC.signature.slice(3)), [SPEC.secret], { nowSeconds: SPEC.timestamp }),
			'no_matching_signature',
		],
		[
			'a missing signature header',
			() => verify(SPEC.body, { 'webhook-id': SPEC.id, 'webhook-timestamp': '1' }, [SPEC.secret]),
			'missing_headers',
		],
		[
			'a non-numeric timestamp',
			() => verify(SPEC.body, headersFor(SPEC.signature, '2021-02-25'), [SPEC.secret]),
			'invalid_timestamp',
		],
		[
			'a timestamp 301 s old',
			() => verify(SPEC.body, headersFor(), [SPEC.secret], { nowSeconds: SPEC.timestamp + 301 }),
			'timestamp_too_old',
		],
		[
			'a timestamp 301 s in the future',
			() => verify(SPEC.body, headersFor(), [SPEC.secret], { nowSeconds: SPEC.timestamp - 301 }),
			'timestamp_too_new',
		],
		[
			'a secret that is not base64',
			() => verify(SPEC.body, headersFor(), ['whsec_not base64!'], { nowSeconds: SPEC.timestamp }),
			'invalid_secret',
		],
	])('rejects %s', (_name, fn, code) => {
		expect(failureCode(fn)).toBe(code);
	});

	it('accepts a secret pasted with surrounding whitespace; refuses one without "whsec_" or with a key under 24 bytes', () => {
		const at = { nowSeconds: SPEC.timestamp };
		expect(failureCode(() => verify(SPEC.body, headersFor(), [` ${SPEC.secret}\n`], at))).toBe('no error');
		expect(failureCode(() => verify(SPEC.body, headersFor(), [SPEC.secret.slice('whsec_'.length)], at))).toBe(
			'invalid_secret',
		);
		expect(
			failureCode(() => verify(SPEC.body, headersFor(), [`whsec_${Buffer.alloc(16, 1).toString('base64')}`], at)),
		).toBe('invalid_secret');
	});

	it('accepts timestamps exactly at the 300 s edges', () => {
		expect(
			failureCode(() => verify(SPEC.body, headersFor(), [SPEC.secret], { nowSeconds: SPEC.timestamp + 300 })),
		).toBe('no error');
		expect(
			failureCode(() => verify(SPEC.body, headersFor(), [SPEC.secret], { nowSeconds: SPEC.timestamp - 300 })),
		).toBe('no error');
	});

	it('reads headers case-insensitively, as Node and Express may present them', () => {
		const headers = {
			'Webhook-Id': SPEC.id,
			'WEBHOOK-TIMESTAMP': String(SPEC.timestamp),
			'webhook-signature': [SPEC.signature],
		};
		expect(verify(SPEC.body, headers, [SPEC.secret], { nowSeconds: SPEC.timestamp }).id).toBe(SPEC.id);
	});
});
