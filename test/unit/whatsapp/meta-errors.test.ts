// nodes/shared/metaErrors: Meta's error body → message with code and fix, description with details and fbtrace_id.
import { NodeApiError } from 'n8n-workflow';
import {
	describeMetaError,
	isRetryableMetaError,
	metaApiError,
	metaErrorJson,
	parseMetaError,
	retryAfterMs,
} from '../../../nodes/shared/metaErrors';
import { NODE } from './harness';

const body = (code: number, extra: Record<string, unknown> = {}) => ({
	error: {
		message: `(#${code}) Something`,
		type: 'OAuthException',
		code,
		error_data: { messaging_product: 'whatsapp', details: `details ${code}` },
		fbtrace_id: 'AbCdEf123',
		...extra,
	},
});

describe('Meta error mapping', () => {
	it.each([
		[131047, "more than 24 h since the customer's last message — send a template instead", false],
		[131026, 'message undeliverable', false],
		[132000, 'template parameter count mismatch — give exactly as many parameters', false],
		[132001, 'template does not exist in this language', false],
		[100, 'invalid parameter — correct the field named in the details', false],
		[131048, 'spam rate limit hit', false],
		[131049, 'Meta chose not to deliver this marketing message', false],
		[368, 'temporarily blocked for policy violations', false],
		[190, 'access token expired or invalid — create a new access token', false],
		[130429, 'throughput limit reached', true],
		[131056, 'pair rate limit hit', true],
		[1, 'unknown Meta API error', true],
		[2, 'Meta service temporarily unavailable', true],
		[4, 'the app hit its API call rate limit', true],
		[80007, 'the WhatsApp Business Account hit its rate limit', true],
		[131057, 'maintenance mode', true],
	])('code %i', (code, text, retryable) => {
		const described = describeMetaError(body(code), { product: 'WhatsApp', httpStatus: 400 });
		expect(described.message.startsWith(`WhatsApp error ${code}: `)).toBe(true);
		expect(described.message).toContain(text);
		expect(described.description).toContain(`details ${code}`);
		expect(described.description).toContain('fbtrace_id AbCdEf123');
		expect(described.retryable).toBe(retryable);
		expect(isRetryableMetaError(code, 400)).toBe(retryable);
		expect(described.stopRun).toBe(code === 190);
	});

	it('tells the bulk send how to retry: 4^n s for the pair rate, slow the pacer for throughput, backoff otherwise', () => {
		expect([131056, 130429, 131057, 2].map((code) => describeMetaError(body(code)).info.backoff ?? 'default')).toEqual([
			'pair',
			'throttle',
			'default',
			'default',
		]);
	});

	it('unknown codes: retry on HTTP 5xx only; non-JSON bodies still give a useful message', () => {
		expect(isRetryableMetaError(999999, 503)).toBe(true);
		expect(isRetryableMetaError(999999, 400)).toBe(false);
		const html = describeMetaError('<html>Bad Gateway</html>', { product: 'WhatsApp', httpStatus: 502 });
		expect(html.message).toBe('WhatsApp HTTP 502: Meta server error (HTTP 502) — try again later');
		expect(html.description).toContain('<html>Bad Gateway</html>');
		expect(html.retryable).toBe(true);
	});

	it('builds a NodeApiError with the message, description, HTTP code and item index, and JSON for error items', () => {
		const error = metaApiError(
			NODE,
			{ status: 400, body: body(131047, { error_subcode: 2494010 }) },
			{ product: 'WhatsApp', itemIndex: 3 },
		);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe(
			"WhatsApp error 131047 (subcode 2494010): more than 24 h since the customer's last message — send a template instead",
		);
		expect(error.description).toContain('fbtrace_id AbCdEf123');
		expect(error.httpCode).toBe('400');
		expect(error.context.itemIndex).toBe(3);
		expect(metaErrorJson(describeMetaError(body(368)))).toMatchObject({
			code: 368,
			details: 'details 368',
			fbtrace_id: 'AbCdEf123',
			retryable: false,
		});
		expect(parseMetaError(JSON.stringify(body(4)))?.code).toBe(4);
	});

	it('reads Retry-After as seconds or an HTTP date', () => {
		expect(retryAfterMs({ 'retry-after': '3' })).toBe(3000);
		expect(retryAfterMs({ 'retry-after': new Date(10_000).toUTCString() }, 4000)).toBe(6000);
		expect(retryAfterMs({})).toBeUndefined();
	});
});
