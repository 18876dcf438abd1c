/**
 * The HTTP core of every node: the one place that calls n8n's request helpers. Transports
 * (nodes/<Node>/shared/transport.ts) are thin adapters that build the URL and map errors.
 *
 *   - credentials: `httpRequestWithAuthentication` with the node's credential type (the credential's
 *     own `authenticate` adds the token), or `httpRequest` for an unauthenticated call;
 *     `credentials` passes already decrypted data so a long run decrypts once;
 *   - full response, never a throw for an HTTP status: the caller sees status, headers and body;
 *   - JSON parse of text bodies (non-JSON text is kept as text, an empty body is `{}`);
 *   - binary downloads as a Buffer;
 *   - Retry-After (milliseconds) and Meta's usage headers read from every response.
 */
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	IHookFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	IPollFunctions,
} from 'n8n-workflow';
import { retryAfterFromHeaders } from './headers';
import { parseUsageHeaders, type MetaUsage } from './metaUsage';

export type HttpContext = IExecuteFunctions | ILoadOptionsFunctions | IPollFunctions | IHookFunctions;

export interface HttpRequest {
	method: IHttpRequestMethods;
	/** Absolute URL. */
	url: string;
	qs?: IDataObject;
	/** An object or array is sent as JSON; a string or Buffer is sent as is (set Content-Type). */
	body?: IDataObject | IDataObject[] | string | Buffer;
	headers?: Record<string, string>;
	/** Return the body as a Buffer (file downloads). */
	binary?: boolean;
	/** Give up (throw) after this many ms without an answer; n8n's default otherwise. */
	timeoutMs?: number;
	/**
	 * `false`: a redirect is the answer, not followed. For calls that never redirect (a message send):
	 * n8n then skips its redirect-following layer, a measurable share of each call's CPU in a campaign.
	 */
	followRedirects?: false;
}

export interface HttpAuth {
	/** The credential type whose `authenticate` signs the request; omit for an unauthenticated call. */
	credentialType?: string;
	/** Already decrypted credential data (saves decrypting it again for every call of a run). */
	credentials?: ICredentialDataDecryptedObject;
}

export interface HttpResponse<T = unknown> {
	status: number;
	headers: Record<string, unknown>;
	body: T;
	/** Retry-After in milliseconds, if the response had one. */
	retryAfterMs?: number;
	/** Meta's X-App-Usage / X-Business-Use-Case-Usage, if the response had them. */
	usage?: MetaUsage;
}

export function isSuccess(response: { status: number }): boolean {
	return response.status >= 200 && response.status < 300;
}

/** A text or Buffer body parsed as JSON; text that is not JSON stays text; empty is `{}`. */
export function parseBody(body: unknown): unknown {
	if (typeof body !== 'string' && !Buffer.isBuffer(body)) return body;
	const text = body.toString();
	if (text.trim() === '') return {};
	try {
		return JSON.parse(text);
	} catch {
		return text;
	}
}

export function requestOptions(request: HttpRequest): IHttpRequestOptions {
	const raw = typeof request.body === 'string' || Buffer.isBuffer(request.body);
	const options: IHttpRequestOptions = {
		method: request.method,
		url: request.url,
		headers: { Accept: 'application/json', ...(request.headers ?? {}) },
		json: !request.binary && !raw,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
	};
	if (request.qs) options.qs = request.qs;
	if (request.body !== undefined) options.body = request.body;
	if (request.timeoutMs !== undefined) options.timeout = request.timeoutMs;
	if (request.followRedirects === false) options.disableFollowRedirect = true;
	if (request.binary) {
		options.encoding = 'arraybuffer';
		delete options.headers?.Accept;
	}
	return options;
}

/** One HTTP call through n8n; never throws for an HTTP status (network failures do throw). */
export async function httpCall<T = unknown>(
	this: HttpContext,
	request: HttpRequest,
	auth: HttpAuth = {},
): Promise<HttpResponse<T>> {
	const options = requestOptions(request);
	const helpers = this.helpers as IExecuteFunctions['helpers'];
	const response = (
		auth.credentialType
			? await helpers.httpRequestWithAuthentication.call(
					this as IExecuteFunctions,
					auth.credentialType,
					options,
					auth.credentials
						? {
								credentialsDecrypted: {
									id: auth.credentialType,
									name: auth.credentialType,
									type: auth.credentialType,
									data: auth.credentials,
								},
							}
						: undefined,
				)
			: await helpers.httpRequest(options)
	) as { statusCode: number; headers?: Record<string, unknown>; body: unknown };
	const headers = response.headers ?? {};
	let body = response.body;
	if (request.binary) body = body instanceof ArrayBuffer ? Buffer.from(body) : body;
	else body = parseBody(body);
	const result: HttpResponse<T> = { status: response.statusCode, headers, body: body as T };
	const retryAfterMs = retryAfterFromHeaders(headers);
	if (retryAfterMs !== undefined) result.retryAfterMs = retryAfterMs;
	const usage = parseUsageHeaders(headers);
	if (usage) result.usage = usage;
	return result;
}
