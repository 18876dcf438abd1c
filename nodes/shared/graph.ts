// Meta's Graph API: the request type both Meta nodes use, the default version and URL building. Pure.
import type { IDataObject, IHttpRequestMethods } from 'n8n-workflow';

/** Graph API versions Meta supports (newest first): v22 until 2027-05 … v26, the newest (July 2026). */
export const GRAPH_API_VERSIONS = ['v26.0', 'v25.0', 'v24.0', 'v23.0', 'v22.0'] as const;

/** The Graph API version a credential uses when it names none: the newest supported. */
export const DEFAULT_GRAPH_VERSION: string = GRAPH_API_VERSIONS[0];

export const FACEBOOK_GRAPH_HOST = 'https://graph.facebook.com';

export interface GraphRequest {
	method: IHttpRequestMethods;
	/** Path after the version, e.g. `/123/messages`; or `url` for an absolute URL (paging links, media files). */
	path?: string;
	url?: string;
	qs?: IDataObject;
	body?: IDataObject | Buffer;
	headers?: Record<string, string>;
	/** Return the body as a Buffer (media download). */
	binary?: boolean;
	/** The input item the call is for (error messages point at it). */
	itemIndex?: number;
	/** Take a redirect as the answer instead of following it (see HttpRequest). */
	followRedirects?: false;
}

/** `https://host/v24.0`: trailing slashes of the host and slashes around the version removed. */
export function graphBase(host: string | undefined, version: string | undefined): string {
	const base = String(host || FACEBOOK_GRAPH_HOST)
		.trim()
		.replace(/\/+$/, '');
	const v = String(version || DEFAULT_GRAPH_VERSION)
		.trim()
		.replace(/^\/+|\/+$/g, '');
	return `${base}/${v}`;
}

/** The absolute URL of a Graph request. */
export function graphUrl(base: string, request: Pick<GraphRequest, 'path' | 'url'>): string {
	return request.url ?? `${base}${request.path ?? ''}`;
}
