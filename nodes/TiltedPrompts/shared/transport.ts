// The only place that makes HTTP calls to the TiltedPrompts service.
import {
	NodeApiError,
	sleep,
	type IDataObject,
	type IExecuteFunctions,
	type IHookFunctions,
	type IHttpRequestMethods,
	type IHttpRequestOptions,
	type ILoadOptionsFunctions,
	type JsonObject,
} from 'n8n-workflow';
import { retryAfterSeconds, summarizeServiceError } from './errors';

export type ServiceContext = IExecuteFunctions | ILoadOptionsFunctions | IHookFunctions;

export const CREDENTIAL_TYPE = 'tiltedPromptsApi';
export const API_PREFIX = '/api/v1';
/** How often a 429 (or 503) answer is retried before the node gives up. */
export const MAX_RETRIES = 5;
/** The longest single wait the node accepts from Retry-After, in seconds. */
export const MAX_RETRY_AFTER_SECONDS = 120;

export interface ServiceRequest {
	method: IHttpRequestMethods;
	/** Path below /api/v1, e.g. `/contacts` (or below the service root with `outsideApi`). */
	path: string;
	qs?: IDataObject;
	body?: IDataObject | IDataObject[] | string;
	headers?: Record<string, string>;
	/** Send the credential's API key (true for every route except bundle ingestion). */
	authenticate?: boolean;
	/** Headers computed afresh for every attempt (signatures carry the attempt's timestamp). */
	headersPerAttempt?: () => Record<string, string>;
	/** Path outside /api/v1 (e.g. `/healthz`). */
	outsideApi?: boolean;
	itemIndex?: number;
}

interface FullResponse {
	statusCode: number;
	headers: Record<string, string | string[] | undefined>;
	body: unknown;
}

export async function serviceBaseUrl(this: ServiceContext): Promise<string> {
	const credentials = await this.getCredentials(CREDENTIAL_TYPE);
	return String(credentials.baseUrl ?? '').replace(/\/+$/, '');
}

function parseBody(body: unknown): unknown {
	if (typeof body !== 'string') return body;
	try {
		return JSON.parse(body);
	} catch {
		return body;
	}
}

/**
 * Calls the service and returns the parsed JSON body of a 2xx answer. 429 and 503 answers are
 * retried after Retry-After (or a short backoff); every other error becomes a NodeApiError that
 * says what was wrong and how to fix it, with one line per invalid field for 422.
 */
export async function serviceRequest(this: ServiceContext, request: ServiceRequest): Promise<IDataObject> {
	const baseUrl = await serviceBaseUrl.call(this);
	const options: IHttpRequestOptions = {
		method: request.method,
		url: `${baseUrl}${request.outsideApi ? '' : API_PREFIX}${request.path}`,
		qs: request.qs,
		headers: { Accept: 'application/json', ...request.headers },
		json: typeof request.body !== 'string',
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
	};
	if (request.body !== undefined) options.body = request.body;
	if (typeof request.body === 'string') {
		options.headers = { 'Content-Type': 'application/json', ...options.headers };
	}

	const fixedHeaders = options.headers;
	for (let attempt = 0; ; attempt++) {
		if (request.headersPerAttempt) options.headers = { ...fixedHeaders, ...request.headersPerAttempt() };
		let response: FullResponse;
		try {
			response = (request.authenticate === false
				? await this.helpers.httpRequest(options)
				: await this.helpers.httpRequestWithAuthentication.call(this, CREDENTIAL_TYPE, options)) as FullResponse;
		} catch (error) {
			throw new NodeApiError(this.getNode(), error as JsonObject, {
				message: `Could not reach the TiltedPrompts service at ${baseUrl}: ${(error as Error).message} — check the Service URL in the credential and that the service is running`,
				itemIndex: request.itemIndex,
			});
		}
		const { statusCode } = response;
		if (statusCode >= 200 && statusCode < 300) return parseBody(response.body) as IDataObject;

		const retryable = statusCode === 429 || statusCode === 503;
		if (retryable && attempt < MAX_RETRIES) {
			const advised = retryAfterSeconds(response.headers['retry-after']);
			const wait = advised ?? Math.min(2 ** attempt, 30);
			if (wait <= MAX_RETRY_AFTER_SECONDS) {
				await sleep(Math.ceil(wait * 1000));
				continue;
			}
		}
		const summary = summarizeServiceError(statusCode, parseBody(response.body));
		const retried = retryable && attempt > 0 ? ` (gave up after ${attempt} retries)` : '';
		throw new NodeApiError(
			this.getNode(),
			{ status: statusCode, code: summary.code, fields: summary.fields as unknown as JsonObject[] } as JsonObject,
			{
				message: `${summary.message}${retried}`,
				description: summary.description,
				httpCode: String(statusCode),
				itemIndex: request.itemIndex,
			},
		);
	}
}

export interface Page<T> {
	data: T[];
	next_cursor?: string | null;
}

/** Pure pagination core: follows `next_cursor` until the end or until `limit` items are collected. */
export async function collectPages<T>(
	fetchPage: (cursor: string | undefined, pageSize: number) => Promise<Page<T>>,
	options: { limit?: number; pageSize?: number } = {},
): Promise<T[]> {
	const pageSize = options.pageSize ?? 100;
	const items: T[] = [];
	let cursor: string | undefined;
	const seen = new Set<string>();
	for (;;) {
		const remaining = options.limit === undefined ? pageSize : Math.min(pageSize, options.limit - items.length);
		if (remaining <= 0) break;
		const page = await fetchPage(cursor, remaining);
		items.push(...(page.data ?? []));
		const next = page.next_cursor ?? undefined;
		if (!next || seen.has(next) || (page.data ?? []).length === 0) break;
		seen.add(next);
		cursor = next;
	}
	return options.limit === undefined ? items : items.slice(0, options.limit);
}

/** GET a list route: all items (returnAll) or up to `limit`, with cursor pagination. */
export async function serviceRequestList(
	this: ServiceContext,
	path: string,
	qs: IDataObject,
	options: { returnAll: boolean; limit?: number; itemIndex?: number },
): Promise<IDataObject[]> {
	return await collectPages<IDataObject>(
		async (cursor, pageSize) =>
			(await serviceRequest.call(this, {
				method: 'GET',
				path,
				qs: { ...qs, limit: pageSize, ...(cursor ? { cursor } : {}) },
				itemIndex: options.itemIndex,
			})) as unknown as Page<IDataObject>,
		{ limit: options.returnAll ? undefined : (options.limit ?? 50) },
	);
}
