/**
 * The WhatsApp node's adapter of the HTTP core (nodes/shared/http.ts): the Graph URL from the
 * `whatsAppCloudApi` credential, credentials decrypted once per run, and Meta's errors.
 * `graphRequest` never throws for an HTTP status, so the caller sees Meta's status, headers and
 * error body and can decide (retry, stop, per-item error); `graphCall` throws a NodeApiError built by
 * `nodes/shared/metaErrors` for callers that just want the result.
 */
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	ILoadOptionsFunctions,
} from 'n8n-workflow';
import { graphBase, graphUrl, type GraphRequest } from '../../shared/graph';
import { httpCall, isSuccess, type HttpResponse } from '../../shared/http';
import { metaApiError } from '../../shared/metaErrors';
import { collectPages, graphCursor, type GraphPage } from '../../shared/pagination';

export { isSuccess, type GraphRequest };

export const CREDENTIAL_TYPE = 'whatsAppCloudApi';

export type GraphContext = IExecuteFunctions | ILoadOptionsFunctions;

export interface WhatsAppCredentials {
	accessToken: string;
	businessAccountId: string;
	/** `https://graph.facebook.com/v23.0`: host and version. */
	graphBase: string;
}

export type GraphResponse<T = IDataObject> = HttpResponse<T>;

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
	const parsed = {
		accessToken: String(raw.accessToken ?? ''),
		businessAccountId: String(raw.businessAccountId ?? '').trim(),
		graphBase: graphBase(raw.baseUrl as string | undefined, raw.apiVersion as string | undefined),
	};
	return { raw, parsed };
}

/** One Graph call; never throws for HTTP statuses (network errors do throw). */
export async function graphRequest(this: GraphContext, request: GraphRequest): Promise<GraphResponse<IDataObject>> {
	const { raw, parsed } = await cachedCredentials.call(this);
	const { method, qs, body, headers, binary, followRedirects } = request;
	const response = await httpCall.call(
		this,
		{ method, url: graphUrl(parsed.graphBase, request), qs, body, headers, binary, followRedirects },
		{ credentialType: CREDENTIAL_TYPE, credentials: raw },
	);
	return response as GraphResponse<IDataObject>;
}

/** A Graph call that returns the body or throws Meta's error as a NodeApiError. */
export async function graphCall(this: GraphContext, request: GraphRequest, itemIndex?: number): Promise<IDataObject> {
	const response = await graphRequest.call(this, request);
	if (!isSuccess(response)) {
		if (request.binary && Buffer.isBuffer(response.body)) response.body = parseBuffer(response.body) as IDataObject;
		throw metaApiError(this.getNode(), response, { product: 'WhatsApp', itemIndex: itemIndex ?? request.itemIndex });
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
	return await collectPages(
		async (after, pageSize) =>
			(await graphCall.call(
				this,
				{ ...request, qs: { ...(request.qs ?? {}), limit: pageSize, ...(after ? { after } : {}) } },
				itemIndex,
			)) as GraphPage<IDataObject>,
		graphCursor<IDataObject>(),
		{ limit, pageSize: Math.min(limit ?? 100, 100), shrinkLastPage: false },
	);
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
		Buffer.from(
			`--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${safeName}"\r\nContent-Type: ${file.contentType}\r\n\r\n`,
		),
		file.data,
		Buffer.from(`\r\n--${boundary}--\r\n`),
	);
	return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}
