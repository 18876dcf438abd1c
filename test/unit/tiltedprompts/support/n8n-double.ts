// A faithful stand-in for the parts of n8n's execution contexts our nodes use. Its HTTP helpers make
// REAL requests with n8n's semantics (@n8n/backend-network: url + qs, JSON bodies, returnFullResponse,
// ignoreHttpStatusErrors, lower-case response headers, JSON responses parsed), and
// httpRequestWithAuthentication applies the credential type's own `authenticate` definition.
// Parameters fall back to the defaults in the node's description, as n8n does.
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	IHookFunctions,
	IHttpRequestOptions,
	INode,
	INodeExecutionData,
	INodeProperties,
	INodeType,
	IWebhookFunctions,
} from 'n8n-workflow';
import { TiltedPromptsApi } from '../../../../credentials/TiltedPromptsApi.credentials';

export type ParamValue = unknown | ((itemIndex: number) => unknown);

export interface HttpCall {
	method: string;
	url: string;
	headers: Record<string, string>;
	body?: string;
	status: number;
}

function serializeQs(qs: IDataObject | undefined): string {
	if (!qs) return '';
	const params = new URLSearchParams();
	for (const [key, value] of Object.entries(qs)) {
		if (value === undefined || value === null) continue;
		if (Array.isArray(value)) value.forEach((v) => params.append(`${key}[]`, String(v)));
		else params.append(key, String(value));
	}
	const text = params.toString();
	return text ? `?${text}` : '';
}

export async function httpRequest(options: IHttpRequestOptions, log?: HttpCall[]): Promise<unknown> {
	const headers: Record<string, string> = {};
	for (const [key, value] of Object.entries(options.headers ?? {})) headers[key] = String(value);
	let body: string | undefined;
	if (options.body !== undefined && options.body !== null && !(options.method === 'GET' || !options.method)) {
		if (typeof options.body === 'string') body = options.body;
		else {
			body = JSON.stringify(options.body);
			if (!Object.keys(headers).some((key) => key.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
		}
	}
	if (options.json && !Object.keys(headers).some((key) => key.toLowerCase() === 'accept')) headers.Accept = 'application/json';
	const url = `${options.baseURL ?? ''}${options.url}${serializeQs(options.qs)}`;
	const response = await fetch(url, { method: options.method ?? 'GET', headers, body });
	const text = await response.text();
	log?.push({ method: options.method ?? 'GET', url, headers, body, status: response.status });
	let parsed: unknown = text;
	try {
		parsed = text ? JSON.parse(text) : '';
	} catch {
		parsed = text;
	}
	if (!options.ignoreHttpStatusErrors && (response.status < 200 || response.status >= 300)) {
		throw Object.assign(new Error(`Request failed with status code ${response.status}`), {
			response: { status: response.status, data: parsed },
		});
	}
	if (options.returnFullResponse) {
		const responseHeaders: Record<string, string> = {};
		response.headers.forEach((value, key) => (responseHeaders[key] = value));
		return { body: parsed, headers: responseHeaders, statusCode: response.status, statusMessage: response.statusText };
	}
	return parsed;
}

/** What n8n's httpRequestWithAuthentication does: the credential type's own `authenticate`. */
async function authenticated(options: IHttpRequestOptions, credentials: ICredentialDataDecryptedObject): Promise<IHttpRequestOptions> {
	return await new TiltedPromptsApi().authenticate(credentials, { ...options, headers: { ...(options.headers ?? {}) } });
}

function matchesDisplay(property: INodeProperties, params: Record<string, unknown>): boolean {
	const show = property.displayOptions?.show;
	if (!show) return true;
	return Object.entries(show).every(([key, allowed]) => {
		const current = params[key];
		return Array.isArray(allowed) && allowed.includes(current as never);
	});
}

export interface DoubleOptions {
	nodeType: INodeType;
	params: Record<string, ParamValue>;
	items?: IDataObject[];
	credentials: ICredentialDataDecryptedObject;
	continueOnFail?: boolean;
	nodeName?: string;
	httpLog?: HttpCall[];
}

function parameterGetter(options: DoubleOptions) {
	return (name: string, itemIndex: number, fallback?: unknown) => {
		const given = options.params[name];
		if (given !== undefined) return typeof given === 'function' ? (given as (i: number) => unknown)(itemIndex) : given;
		const flat: Record<string, unknown> = {};
		for (const [key, value] of Object.entries(options.params)) flat[key] = typeof value === 'function' ? undefined : value;
		const property = options.nodeType.description.properties.find((p) => p.name === name && matchesDisplay(p, flat));
		if (property) {
			const def = property.default;
			if (typeof def === 'string' && def.startsWith('=')) {
				throw new Error(`test double cannot evaluate the expression default of "${name}" (${def}); give the parameter a value`);
			}
			return def;
		}
		if (fallback !== undefined) return fallback;
		throw new Error(`Could not get parameter "${name}"`);
	};
}

export function node(options: DoubleOptions): INode {
	return {
		id: 'node-1',
		name: options.nodeName ?? options.nodeType.description.displayName,
		type: `n8n-nodes-tiltedprompts.${options.nodeType.description.name}`,
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
}

export function executeFunctions(options: DoubleOptions): IExecuteFunctions {
	const items: INodeExecutionData[] = (options.items ?? [{}]).map((json) => ({ json }));
	const thisNode = node(options);
	const context = {
		getInputData: () => items,
		getNode: () => thisNode,
		getNodeParameter: parameterGetter(options),
		continueOnFail: () => options.continueOnFail ?? false,
		getCredentials: async () => options.credentials,
		helpers: {
			httpRequest: (request: IHttpRequestOptions) => httpRequest(request, options.httpLog),
			httpRequestWithAuthentication: async (_type: string, request: IHttpRequestOptions) =>
				httpRequest(await authenticated(request, options.credentials), options.httpLog),
			returnJsonArray: (data: IDataObject | IDataObject[]) => (Array.isArray(data) ? data : [data]).map((json) => ({ json })),
			constructExecutionMetaData: (data: INodeExecutionData[], meta: { itemData: { item: number } }) =>
				data.map((entry) => ({ ...entry, pairedItem: meta.itemData })),
		},
	};
	return context as unknown as IExecuteFunctions;
}

export interface HookDouble {
	hooks: IHookFunctions;
	staticData: IDataObject;
}

export function hookFunctions(options: DoubleOptions & { webhookUrl: string; staticData?: IDataObject }): HookDouble {
	const staticData = options.staticData ?? {};
	const thisNode = node(options);
	const getter = parameterGetter(options);
	const hooks = {
		getNode: () => thisNode,
		getNodeParameter: (name: string, fallback?: unknown) => getter(name, 0, fallback),
		getNodeWebhookUrl: () => options.webhookUrl,
		getWorkflow: () => ({ id: 'wf-test', name: 'Trigger test', active: true }),
		getWorkflowStaticData: () => staticData,
		getCredentials: async () => options.credentials,
		helpers: {
			httpRequest: (request: IHttpRequestOptions) => httpRequest(request, options.httpLog),
			httpRequestWithAuthentication: async (_type: string, request: IHttpRequestOptions) =>
				httpRequest(await authenticated(request, options.credentials), options.httpLog),
		},
	};
	return { hooks: hooks as unknown as IHookFunctions, staticData };
}

/** What n8n puts in req.body: parsed JSON, or the text (e.g. text/plain) when it is not JSON. */
function parsedBody(raw: Buffer): unknown {
	try {
		return JSON.parse(raw.toString('utf8') || 'null');
	} catch {
		return raw.toString('utf8');
	}
}

export interface CapturedResponse {
	status?: number;
	body?: unknown;
}

/** A webhook call as n8n makes it: express-like request with the raw body bytes, a response recorder. */
export function webhookFunctions(
	options: DoubleOptions & { staticData: IDataObject; headers: Record<string, string>; rawBody: Buffer },
): { webhook: IWebhookFunctions; response: CapturedResponse } {
	const response: CapturedResponse = {};
	const getter = parameterGetter(options);
	const res = {
		status(code: number) {
			response.status = code;
			return res;
		},
		json(body: unknown) {
			response.body = body;
			response.status ??= 200;
			return res;
		},
	};
	const lowerHeaders: Record<string, string> = {};
	for (const [key, value] of Object.entries(options.headers)) lowerHeaders[key.toLowerCase()] = value;
	const webhook = {
		getNode: () => node(options),
		getNodeParameter: (name: string, fallback?: unknown) => getter(name, 0, fallback),
		getWorkflowStaticData: () => options.staticData,
		getRequestObject: () => ({ headers: lowerHeaders, rawBody: options.rawBody, body: parsedBody(options.rawBody) }),
		getResponseObject: () => res,
		helpers: {
			returnJsonArray: (data: IDataObject | IDataObject[]) => (Array.isArray(data) ? data : [data]).map((json) => ({ json })),
		},
	};
	return { webhook: webhook as unknown as IWebhookFunctions, response };
}
