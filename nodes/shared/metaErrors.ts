/**
 * Meta Graph API errors → what a user can act on. Shared by the WhatsApp and Instagram nodes.
 *
 * Meta answers every failed call with
 *   `{ error: { message, type, code, error_subcode, error_user_title, error_user_msg,
 *               error_data: { messaging_product, details }, fbtrace_id } }`.
 * This module (pure, no I/O) turns that into:
 *   - `describeMetaError()`  → { message: "WhatsApp error 131047: … — send a template instead",
 *                               description: Meta's details + fbtrace_id, retryable, stopRun, … }
 *   - `metaApiError()`       → a NodeApiError with that message/description (throw it)
 *   - `metaErrorJson()`      → the plain object we put on an output item under continueOnFail
 *   - `isRetryableMetaError()` / `metaErrorInfo()` → the retry policy the bulk sender uses
 *
 * Stable exports (the Instagram node imports them): MetaErrorBody, MetaErrorInfo, MetaProduct,
 * DescribedMetaError, parseMetaError, metaErrorInfo, isRetryableMetaError, describeMetaError,
 * metaApiError, metaErrorJson, retryAfterMs.
 */
import { NodeApiError, type INode, type JsonObject } from 'n8n-workflow';
import type { ErrorItem } from './errors';
import { retryAfterFromHeaders } from './headers';

export type MetaProduct = 'WhatsApp' | 'Instagram' | 'Meta';

/** The `error` object of a Graph API error response. */
export interface MetaErrorBody {
	message?: string;
	type?: string;
	code?: number;
	error_subcode?: number;
	error_user_title?: string;
	error_user_msg?: string;
	error_data?: { messaging_product?: string; details?: string } | string;
	fbtrace_id?: string;
	is_transient?: boolean;
}

export interface MetaErrorInfo {
	/** Short statement of what went wrong, e.g. "more than 24 h since the customer's last message". */
	title: string;
	/** What the user should do, e.g. "send a template instead". */
	fix: string;
	/** Worth sending again later (rate limits, transient outages). */
	retryable: boolean;
	/** Nothing else in this run can succeed (e.g. the access token is dead): stop the run. */
	stopRun?: boolean;
	/**
	 * Retry family: 'pair' (131056) waits 4^n s; 'throttle' (130429) also slows the bulk send's pacer;
	 * 'default' (or absent) capped exponential with jitter.
	 */
	backoff?: 'pair' | 'throttle' | 'default';
	/** n8n failure cause, if one fits. */
	cause?:
		'rate-limited' | 'quota-exhausted' | 'temporarily-unavailable' | 'credential-invalid' | 'configuration-invalid';
}

const TOKEN_FIX = 'create a new access token (a System User token does not expire) and update the credential';

/** Codes from Meta's Graph API and WhatsApp Cloud API error references. */
const CATALOG: Record<number, MetaErrorInfo> = {
	0: { title: 'authentication failed', fix: TOKEN_FIX, retryable: false, stopRun: true, cause: 'credential-invalid' },
	1: {
		title: 'unknown Meta API error (often temporary)',
		fix: "try again later; if it persists, check Meta's status page",
		retryable: true,
		cause: 'temporarily-unavailable',
	},
	2: {
		title: 'Meta service temporarily unavailable',
		fix: 'try again later',
		retryable: true,
		cause: 'temporarily-unavailable',
	},
	3: {
		title: 'the app lacks the capability for this call',
		fix: "check the app's permissions and the API version in the credential",
		retryable: false,
		cause: 'configuration-invalid',
	},
	4: {
		title: 'the app hit its API call rate limit',
		fix: 'wait and send fewer requests (lower the throughput option)',
		retryable: true,
		cause: 'rate-limited',
	},
	10: {
		title: 'permission denied',
		fix: 'grant the token whatsapp_business_messaging / whatsapp_business_management (or the Instagram permissions) and add the asset to the System User',
		retryable: false,
		cause: 'configuration-invalid',
	},
	17: {
		title: 'the user hit its API call rate limit',
		fix: 'wait and send fewer requests',
		retryable: true,
		cause: 'rate-limited',
	},
	32: {
		title: 'the page hit its API call rate limit',
		fix: 'wait and send fewer requests',
		retryable: true,
		cause: 'rate-limited',
	},
	100: {
		title: 'invalid parameter',
		fix: 'correct the field named in the details',
		retryable: false,
		cause: 'configuration-invalid',
	},
	190: {
		title: 'access token expired or invalid',
		fix: TOKEN_FIX,
		retryable: false,
		stopRun: true,
		cause: 'credential-invalid',
	},
	200: {
		title: 'permission denied',
		fix: 'grant the token the permission named in the details',
		retryable: false,
		cause: 'configuration-invalid',
	},
	368: {
		title: 'temporarily blocked for policy violations',
		fix: "review the account's quality and policy notices in WhatsApp Manager; do not retry",
		retryable: false,
	},
	613: {
		title: 'call rate limit exceeded',
		fix: 'wait and send fewer requests',
		retryable: true,
		cause: 'rate-limited',
	},
	80007: {
		title: 'the WhatsApp Business Account hit its rate limit',
		fix: 'wait and send fewer requests',
		retryable: true,
		cause: 'rate-limited',
	},
	130429: {
		title: 'throughput limit reached (too many messages per second)',
		fix: "lower the Throughput option to your number's limit; the bulk send retries these",
		retryable: true,
		backoff: 'throttle',
		cause: 'rate-limited',
	},
	130472: {
		title: 'the recipient is part of a Meta marketing experiment',
		fix: 'no action; the message was not sent to this user',
		retryable: false,
	},
	130497: {
		title: 'the business may not message users in this country',
		fix: 'remove recipients from restricted countries',
		retryable: false,
	},
	131000: {
		title: 'something went wrong at Meta',
		fix: 'try again later',
		retryable: true,
		cause: 'temporarily-unavailable',
	},
	131005: {
		title: 'access denied',
		fix: "check the token's permissions for this phone number / WABA",
		retryable: false,
		cause: 'configuration-invalid',
	},
	131008: {
		title: 'a required parameter is missing',
		fix: 'fill in the field named in the details',
		retryable: false,
		cause: 'configuration-invalid',
	},
	131009: {
		title: 'a parameter value is not valid',
		fix: 'correct the field named in the details',
		retryable: false,
		cause: 'configuration-invalid',
	},
	131016: {
		title: 'WhatsApp service temporarily unavailable',
		fix: 'try again later',
		retryable: true,
		cause: 'temporarily-unavailable',
	},
	131021: {
		title: 'recipient is the sender',
		fix: 'send to a number other than the sending phone number',
		retryable: false,
	},
	131026: {
		title: 'message undeliverable (recipient not on WhatsApp, old app, or has not accepted the terms)',
		fix: 'check the number; do not retry',
		retryable: false,
	},
	131030: {
		title: "recipient not in the test number's allowed list",
		fix: "add the recipient in the app's WhatsApp API setup, or use a production number",
		retryable: false,
	},
	131031: {
		title: 'the business account is locked',
		fix: 'resolve the account notice in WhatsApp Manager',
		retryable: false,
		cause: 'configuration-invalid',
	},
	131042: {
		title: 'payment issue on the business account',
		fix: 'fix the payment method in WhatsApp Manager',
		retryable: false,
		cause: 'configuration-invalid',
	},
	131045: {
		title: 'the phone number is not registered',
		fix: 'register the number (Phone number → register) before sending',
		retryable: false,
		cause: 'configuration-invalid',
	},
	131047: {
		title: "more than 24 h since the customer's last message",
		fix: 'send a template instead',
		retryable: false,
	},
	131048: {
		title: 'spam rate limit hit: too many of your messages were blocked or flagged',
		fix: 'pause the campaign and improve message quality; do not retry',
		retryable: false,
	},
	131049: {
		title: 'Meta chose not to deliver this marketing message (per-user marketing limit)',
		fix: 'do not resend now; try again in a day or later',
		retryable: false,
	},
	131050: {
		title: 'the user stopped marketing messages from your business',
		fix: 'do not resend; mark the contact as opted out',
		retryable: false,
	},
	131051: { title: 'unsupported message type', fix: 'use a supported message type', retryable: false },
	131052: {
		title: 'media download error (WhatsApp could not download the media)',
		fix: 'check the media link is public HTTPS and the file type and size are supported',
		retryable: false,
	},
	131053: { title: 'media upload error', fix: 'check the file type and size are supported', retryable: false },
	131056: {
		title: 'pair rate limit hit (too many messages to the same recipient)',
		fix: 'wait before messaging this recipient again; the bulk send retries after 4^n s',
		retryable: true,
		backoff: 'pair',
		cause: 'rate-limited',
	},
	131057: {
		title: 'the business account is in maintenance mode',
		fix: 'try again later',
		retryable: true,
		cause: 'temporarily-unavailable',
	},
	132000: {
		title: 'template parameter count mismatch',
		fix: 'give exactly as many parameters as the template has placeholders',
		retryable: false,
		cause: 'configuration-invalid',
	},
	132001: {
		title: 'template does not exist in this language (or is not approved)',
		fix: 'pick an approved template and its language',
		retryable: false,
		cause: 'configuration-invalid',
	},
	132005: {
		title: 'translated text too long after filling the parameters',
		fix: 'shorten the parameter values',
		retryable: false,
	},
	132007: { title: 'template content violates a policy', fix: 'edit the template', retryable: false },
	132012: {
		title: 'template parameter format mismatch',
		fix: 'give each parameter the type the template expects (e.g. image header needs an image)',
		retryable: false,
		cause: 'configuration-invalid',
	},
	132015: {
		title: 'template is paused for low quality',
		fix: 'edit the template or wait for it to be unpaused',
		retryable: false,
	},
	132016: { title: 'template is disabled for low quality', fix: 'create a new template', retryable: false },
	133010: {
		title: 'phone number not registered on the Cloud API',
		fix: 'register the number before sending',
		retryable: false,
		cause: 'configuration-invalid',
	},
	135000: { title: 'generic user error', fix: 'check the request parameters', retryable: false },
};

const UNKNOWN: MetaErrorInfo = { title: 'request failed', fix: 'see the details', retryable: false };

/** Extracts Meta's error object from a response body (object or JSON string), if it is one. */
export function parseMetaError(body: unknown): MetaErrorBody | undefined {
	let value = body;
	if (typeof value === 'string') {
		try {
			value = JSON.parse(value);
		} catch {
			return undefined;
		}
	}
	if (value && typeof value === 'object' && 'error' in value) {
		const error = (value as { error: unknown }).error;
		if (error && typeof error === 'object') return error as MetaErrorBody;
	}
	return undefined;
}

/**
 * What a code means and whether to retry it. Unknown codes: 5xx statuses are retryable
 * (Meta's outages), everything else is not. `extra` lets a product add or override codes.
 */
export function metaErrorInfo(
	code: number | undefined,
	options: { httpStatus?: number; extra?: Record<number, MetaErrorInfo> } = {},
): MetaErrorInfo {
	const known = code === undefined ? undefined : (options.extra?.[code] ?? CATALOG[code]);
	if (known) return known;
	if (options.httpStatus !== undefined && options.httpStatus >= 500) {
		return {
			title: `Meta server error (HTTP ${options.httpStatus})`,
			fix: 'try again later',
			retryable: true,
			cause: 'temporarily-unavailable',
		};
	}
	if (options.httpStatus === 429) {
		return { title: 'too many requests', fix: 'wait and send fewer requests', retryable: true, cause: 'rate-limited' };
	}
	return UNKNOWN;
}

/** Retry policy of the bulk send: the issue's list (130429, 131056, 1, 2, 4, 80007, 131057) plus 5xx. */
export function isRetryableMetaError(code: number | undefined, httpStatus?: number): boolean {
	if (code === 190 || code === 0) return false;
	if (code !== undefined && CATALOG[code]) return CATALOG[code].retryable;
	return httpStatus !== undefined && (httpStatus >= 500 || httpStatus === 429);
}

/** `Retry-After` (seconds or HTTP date) in ms, if present and sane. */
export function retryAfterMs(headers: Record<string, unknown> | undefined, now = Date.now()): number | undefined {
	return retryAfterFromHeaders(headers, now);
}

export interface DescribedMetaError {
	/** "WhatsApp error 131047: more than 24 h since the customer's last message — send a template instead" */
	message: string;
	/** Meta's details and message, type, subcode and fbtrace_id. */
	description: string;
	code?: number;
	subcode?: number;
	type?: string;
	details?: string;
	metaMessage?: string;
	fbtraceId?: string;
	httpStatus?: number;
	retryable: boolean;
	stopRun: boolean;
	info: MetaErrorInfo;
}

export function describeMetaError(
	body: unknown,
	options: { product?: MetaProduct; httpStatus?: number; extra?: Record<number, MetaErrorInfo> } = {},
): DescribedMetaError {
	const product = options.product ?? 'Meta';
	const error = parseMetaError(body);
	const code = typeof error?.code === 'number' ? error.code : undefined;
	const info = metaErrorInfo(code, { httpStatus: options.httpStatus, extra: options.extra });
	const details =
		typeof error?.error_data === 'string' ? error.error_data : (error?.error_data?.details ?? error?.error_user_msg);
	const subcode = typeof error?.error_subcode === 'number' ? error.error_subcode : undefined;
	const label = code !== undefined ? `${product} error ${code}` : `${product} HTTP ${options.httpStatus ?? 'error'}`;
	const message = `${label}${subcode ? ` (subcode ${subcode})` : ''}: ${info.title} — ${info.fix}`;
	const parts: string[] = [];
	if (details) parts.push(details);
	if (error?.message && error.message !== details) parts.push(`Meta says: ${error.message}`);
	if (!error && body !== undefined && body !== null && body !== '') {
		parts.push(`Response: ${typeof body === 'string' ? body.slice(0, 500) : JSON.stringify(body).slice(0, 500)}`);
	}
	const meta: string[] = [];
	if (error?.type) meta.push(`type ${error.type}`);
	if (subcode) meta.push(`subcode ${subcode}`);
	if (options.httpStatus) meta.push(`HTTP ${options.httpStatus}`);
	meta.push(`fbtrace_id ${error?.fbtrace_id ?? 'n/a'}`);
	parts.push(`(${meta.join(', ')})`);
	return {
		message,
		description: parts.join(' '),
		code,
		subcode,
		type: error?.type,
		details,
		metaMessage: error?.message,
		fbtraceId: error?.fbtrace_id,
		httpStatus: options.httpStatus,
		retryable: code === undefined ? info.retryable : isRetryableMetaError(code, options.httpStatus),
		stopRun: info.stopRun === true,
		info,
	};
}

/** A NodeApiError for a failed Graph call; throw it (or use metaErrorJson under continueOnFail). */
export function metaApiError(
	node: INode,
	response: { body?: unknown; status?: number; headers?: Record<string, unknown> },
	options: { product?: MetaProduct; itemIndex?: number; extra?: Record<number, MetaErrorInfo> } = {},
): NodeApiError {
	const described = describeMetaError(response.body, {
		product: options.product,
		httpStatus: response.status,
		extra: options.extra,
	});
	const errorResponse = (parseMetaError(response.body) ?? { message: described.message }) as unknown as JsonObject;
	const retryAfter = retryAfterMs(response.headers);
	const cause = described.info.cause;
	const failure =
		cause === 'rate-limited' || cause === 'quota-exhausted' || cause === 'temporarily-unavailable'
			? { cause, ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}) }
			: cause
				? { cause }
				: undefined;
	return new NodeApiError(node, errorResponse, {
		message: described.message,
		description: described.description,
		httpCode: response.status !== undefined ? String(response.status) : undefined,
		itemIndex: options.itemIndex,
		...(failure ? { failure } : {}),
	});
}

/**
 * The `error` field of an output item under continueOnFail (the shape of nodes/shared/errors.ts),
 * plus Meta's error `type` and whether the call is worth retrying.
 */
export function metaErrorJson(described: DescribedMetaError): ErrorItem & { type: string | null; retryable: boolean } {
	return {
		message: described.message,
		description: described.description,
		http_status: described.httpStatus ?? null,
		code: described.code ?? null,
		subcode: described.subcode ?? null,
		details: described.details ?? null,
		fbtrace_id: described.fbtraceId ?? null,
		fields: [],
		type: described.type ?? null,
		retryable: described.retryable,
	};
}

/**
 * Meta's fields of an error that `metaApiError` built, for an item output under continue-on-fail
 * (so a workflow can branch on the code); `{}` for any other error.
 */
export function metaErrorFields(error: unknown): JsonObject {
	const meta = (error as { errorResponse?: JsonObject } | undefined)?.errorResponse;
	if (!meta || typeof meta.code !== 'number') return {};
	const data = meta.error_data as JsonObject | string | undefined;
	return {
		code: meta.code,
		subcode: typeof meta.error_subcode === 'number' ? meta.error_subcode : null,
		details: typeof data === 'string' ? data : ((data?.details as string | undefined) ?? null),
		fbtrace_id: typeof meta.fbtrace_id === 'string' ? meta.fbtrace_id : null,
	};
}
