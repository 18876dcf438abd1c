// The TiltedPrompts nodes' adapter of the HTTP core (nodes/shared/http.ts): the service's URL and
// API key, retries of 429/503 after Retry-After, and the service's error summary.
import {
	NodeApiError,
	sleep,
	type IDataObject,
	type IExecuteFunctions,
	type IHookFunctions,
	type IHttpRequestMethods,
	type ILoadOptionsFunctions,
	type JsonObject,
} from 'n8n-workflow';
import { httpCall, isSuccess, type HttpResponse } from '../../shared/http';
import { collectPages, serviceCursor, type ServicePage } from '../../shared/pagination';
import { summarizeServiceError } from './errors';

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

export async function serviceBaseUrl(this: ServiceContext): Promise<string> {
	const credentials = await this.getCredentials(CREDENTIAL_TYPE);
	return String(credentials.baseUrl ?? '').replace(/\/+$/, '');
}

/**
 * Calls the service and returns the parsed JSON body of a 2xx answer. 429 and 503 answers are
 * retried after Retry-After (or a short backoff); every other error becomes a NodeApiError that
 * says what was wrong and how to fix it, with one line per invalid field for 422.
 */
export async function serviceRequest(this: ServiceContext, request: ServiceRequest): Promise<IDataObject> {
	const baseUrl = await serviceBaseUrl.call(this);
	const url = `${baseUrl}${request.outsideApi ? '' : API_PREFIX}${request.path}`;
	const fixedHeaders = {
		...(typeof request.body === 'string' ? { 'Content-Type': 'application/json' } : {}),
		...request.headers,
	};
	const auth = request.authenticate === false ? {} : { credentialType: CREDENTIAL_TYPE };
	for (let attempt = 0; ; attempt++) {
		const headers = { ...fixedHeaders, ...request.headersPerAttempt?.() };
		let response: HttpResponse;
		try {
			response = await httpCall.call(
				this,
				{ method: request.method, url, qs: request.qs, body: request.body, headers },
				auth,
			);
		} catch (error) {
			throw new NodeApiError(this.getNode(), error as JsonObject, {
				message: `Could not reach the TiltedPrompts service at ${baseUrl}: ${(error as Error).message} — check the Service URL in the credential and that the service is running`,
				itemIndex: request.itemIndex,
			});
		}
		if (isSuccess(response)) return response.body as IDataObject;
		const retryable = response.status === 429 || response.status === 503;
		if (retryable && attempt < MAX_RETRIES) {
			const waitMs = response.retryAfterMs ?? Math.min(2 ** attempt, 30) * 1000;
			if (waitMs <= MAX_RETRY_AFTER_SECONDS * 1000) {
				await sleep(Math.ceil(waitMs));
				continue;
			}
		}
		throw serviceApiError(
			this,
			response,
			retryable && attempt > 0 ? ` (gave up after ${attempt} retries)` : '',
			request.itemIndex,
		);
	}
}

/** The service's error answer as a NodeApiError: what was wrong, the fix, its code and invalid fields. */
function serviceApiError(
	context: ServiceContext,
	response: HttpResponse,
	suffix: string,
	itemIndex?: number,
): NodeApiError {
	const summary = summarizeServiceError(response.status, response.body);
	return new NodeApiError(
		context.getNode(),
		{ status: response.status, code: summary.code, fields: summary.fields as unknown as JsonObject[] } as JsonObject,
		{
			message: `${summary.message}${suffix}`,
			description: summary.description,
			httpCode: String(response.status),
			itemIndex,
		},
	);
}

/** GET a list route: all items (returnAll) or up to `limit`, with cursor pagination. */
export async function serviceRequestList(
	this: ServiceContext,
	path: string,
	qs: IDataObject,
	options: { returnAll: boolean; limit?: number; itemIndex?: number },
): Promise<IDataObject[]> {
	return await collectPages(
		async (cursor, pageSize) =>
			(await serviceRequest.call(this, {
				method: 'GET',
				path,
				qs: { ...qs, limit: pageSize, ...(cursor ? { cursor } : {}) },
				itemIndex: options.itemIndex,
			})) as ServicePage<IDataObject>,
		serviceCursor<IDataObject>(),
		{ returnAll: options.returnAll, limit: options.limit ?? 50 },
	);
}
