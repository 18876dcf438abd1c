/**
 * The only place the WhatsApp node makes HTTP calls. Every call goes through n8n's
 * `httpRequestWithAuthentication` with the `whatsAppCloudApi` credential; HTTP errors are not
 * thrown by n8n but returned, so the caller sees Meta's status, headers and error body and can
 * decide (retry, stop, per-item error). `graphCall` throws a NodeApiError built by
 * `nodes/shared/metaErrors` for callers that just want the result.
 */
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
} from 'n8n-workflow';
import { metaApiError } from '../../shared/metaErrors';

export const CREDENTIAL_TYPE = 'whatsAppCloudApi';

export type GraphContext = IExecuteFunctions | ILoadOptionsFunctions;

export interface WhatsAppCredentials {
	accessToken: string;
	businessAccountId: string;
	apiVersion: string;
	baseUrl: string;
}

export interface GraphRequest {
	method: IHttpRequestMethods;
	/** Path after the version, e.g. `/123/messages`; or `url` for an absolute URL (paging, media). */
	path?: string;
	url?: string;
	qs?: IDataObject;
	body?: IDataObject | Buffer;
	headers?: Record<string, string>;
	/** Return the body as a Buffer (media download). */
	binary?: boolean;
}

export interface GraphResponse<T = IDataObject> {
	status: number;
	headers: Record<string, unknown>;
	body: T;
}

interface CachedCredentials {
	raw: ICredentialDataDecryptedObject;
	parsed: WhatsAppCredentials;
}

/**
 * Credentials are decrypted once per node run and handed to n8n with every request
 * (`credentialsDecrypted`, as n8n's own declarative nodes do): decrypting them per request costs
 * real CPU in a 10,000-message campaign.
 */
const credentialCache = new WeakMap<object, Promise<CachedCredentials>>();

function cachedCredentials(this: GraphContext): Promise<CachedCredentials> {
	let cached = credentialCache.get(this);
	if (!cached) {
		cached = readCredentials.call(this);
		credentialCache.set(this, cached);
		cached.catch(() => credentialCache.delete(this));
	}
	return cached;
}

export async function getCredentials(this: GraphContext): Promise<WhatsAppCredentials> {
	return (await cachedCredentials.call(this)).parsed;
}

async function readCredentials(this: GraphContext): Promise<CachedCredentials> {
	const raw = await this.getCredentials(CREDENTIAL_TYPE);
	const credentials = raw as unknown as WhatsAppCredentials;
	const parsed = {
		...credentials,
		baseUrl: String(credentials.baseUrl || 'https://graph.facebook.com').replace(/\/+$/, ''),
		apiVersion: String(credentials.apiVersion || 'v23.0').replace(/^\/+|\/+$/g, ''),
		businessAccountId: String(credentials.businessAccountId ?? '').trim(),
	};
	return { raw, parsed };
}

/** One Graph call; never throws for HTTP statuses (network errors do throw). */
export async function graphRequest(this: GraphContext, request: GraphRequest): Promise<GraphResponse<IDataObject>> {
	const { raw, parsed: credentials } = await cachedCredentials.call(this);
	const options: IHttpRequestOptions = {
		method: request.method,
		url: request.url ?? `${credentials.baseUrl}/${credentials.apiVersion}${request.path ?? ''}`,
		qs: request.qs,
		body: request.body,
		headers: request.headers,
		json: !request.binary && !Buffer.isBuffer(request.body),
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
	};
	if (request.binary) options.encoding = 'arraybuffer';
	const response = (await this.helpers.httpRequestWithAuthentication.call(this, CREDENTIAL_TYPE, options, {
		credentialsDecrypted: { id: CREDENTIAL_TYPE, name: CREDENTIAL_TYPE, type: CREDENTIAL_TYPE, data: raw },
	})) as {
		statusCode: number;
		headers: Record<string, unknown>;
		body: unknown;
	};
	let body = response.body;
	if (!request.binary && (typeof body === 'string' || Buffer.isBuffer(body))) {
		const text = body.toString();
		try {
			body = text ? JSON.parse(text) : {};
		} catch {
			body = text;
		}
	}
	if (request.binary && body instanceof ArrayBuffer) body = Buffer.from(body);
	return { status: response.statusCode, headers: response.headers ?? {}, body: body as IDataObject };
}

export function isSuccess(response: GraphResponse<unknown>): boolean {
	return response.status >= 200 && response.status < 300;
}

/** A Graph call that returns the body or throws Meta's error as a NodeApiError. */
export async function graphCall(this: GraphContext, request: GraphRequest, itemIndex?: number): Promise<IDataObject> {
	const response = await graphRequest.call(this, request);
	if (!isSuccess(response)) {
		if (request.binary && Buffer.isBuffer(response.body)) response.body = parseBuffer(response.body) as IDataObject;
		throw metaApiError(this.getNode(), response, { product: 'WhatsApp', itemIndex });
	}
	return response.body;
}

function parseBuffer(buffer: Buffer): unknown {
	try {
		return JSON.parse(buffer.toString('utf8'));
	} catch {
		return buffer.toString('utf8').slice(0, 500);
	}
}

/** Follows Graph cursor pagination (`paging.next`) until `limit` items or the end. */
export async function graphPaginate(
	this: GraphContext,
	request: GraphRequest,
	limit: number | undefined,
	itemIndex?: number,
): Promise<IDataObject[]> {
	const out: IDataObject[] = [];
	let next: GraphRequest | undefined = {
		...request,
		qs: { ...(request.qs ?? {}), limit: Math.min(limit ?? 100, 100) },
	};
	while (next) {
		const page = (await graphCall.call(this, next, itemIndex)) as { data?: IDataObject[]; paging?: { next?: string; cursors?: { after?: string } } };
		for (const entry of page.data ?? []) {
			out.push(entry);
			if (limit !== undefined && out.length >= limit) return out;
		}
		const after = page.paging?.cursors?.after;
		next = page.paging?.next && after ? { ...request, qs: { ...(next.qs ?? {}), after } } : undefined;
	}
	return out;
}

/** multipart/form-data body without dependencies (n8n nodes may not ship `form-data`). */
export function multipartBody(
	fields: Record<string, string>,
	file: { field: string; filename: string; contentType: string; data: Buffer },
): { body: Buffer; contentType: string } {
	const boundary = `----n8nWhatsApp${Date.now().toString(16)}${Math.random().toString(16).slice(2)}`;
	const chunks: Buffer[] = [];
	for (const [name, value] of Object.entries(fields)) {
		chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
	}
	const safeName = file.filename.replace(/["\r\n]/g, '_');
	chunks.push(
		Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${safeName}"\r\nContent-Type: ${file.contentType}\r\n\r\n`),
		file.data,
		Buffer.from(`\r\n--${boundary}--\r\n`),
	);
	return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}
