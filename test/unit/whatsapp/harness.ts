/**
 * A faithful IExecuteFunctions / ILoadOptionsFunctions double for the WhatsApp node: parameters per
 * item, credentials, binary data, and `helpers.httpRequestWithAuthentication` making REAL HTTP
 * calls (fetch) with the credential's `authenticate` applied — with the semantics of n8n 2.40's
 * @n8n/backend-network axios adapter: `qs` as query string, object body as JSON, Buffer body raw,
 * `encoding: 'arraybuffer'` → Buffer body, `returnFullResponse` → { body, headers, statusCode },
 * `ignoreHttpStatusErrors` → no throw on 4xx/5xx.
 */
import type { IBinaryData, ICredentialDataDecryptedObject, IDataObject, IExecuteFunctions, IHttpRequestOptions, ILoadOptionsFunctions, INode, INodeExecutionData } from 'n8n-workflow';
import { WhatsAppCloudApi } from '../../../credentials/WhatsAppCloudApi.credentials';
import { WhatsApp } from '../../../nodes/WhatsApp/WhatsApp.node';
import { DEFAULT_PHONE_NUMBER_ID, DEFAULT_WABA_ID } from '../../../sandbox';

export const TOKEN = 'test-token-not-a-secret';

export interface RunOptions {
	/** Parameters: one object for all items, or a function of the item index. */
	params: IDataObject | ((i: number) => IDataObject);
	items?: INodeExecutionData[];
	continueOnFail?: boolean;
	baseUrl: string;
	token?: string;
}

export function credentials(baseUrl: string, token = TOKEN): IDataObject {
	return { accessToken: token, businessAccountId: DEFAULT_WABA_ID, apiVersion: 'v23.0', baseUrl };
}

export async function httpRequest(options: IHttpRequestOptions): Promise<unknown> {
	// axios joins baseURL and a relative url by concatenation (combineURLs), not RFC 3986 resolution.
	const absolute = /^[a-z][a-z\d+\-.]*:\/\//i.test(options.url);
	const url = new URL(absolute || !options.baseURL ? options.url : `${options.baseURL.replace(/\/+$/, '')}/${options.url.replace(/^\/+/, '')}`);
	for (const [key, value] of Object.entries(options.qs ?? {})) {
		if (value !== undefined && value !== null) url.searchParams.set(key, String(value));
	}
	const headers: Record<string, string> = { ...((options.headers as Record<string, string>) ?? {}) };
	let body: Uint8Array | string | undefined;
	if (options.body !== undefined && options.method !== 'GET') {
		if (Buffer.isBuffer(options.body)) body = new Uint8Array(options.body);
		else if (typeof options.body === 'string') body = options.body;
		else if (Object.keys(options.body as object).length > 0) {
			body = JSON.stringify(options.body);
			if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
		}
	}
	if (options.json && !Object.keys(headers).some((h) => h.toLowerCase() === 'accept')) headers.Accept = 'application/json';
	const response = await fetch(url, { method: options.method ?? 'GET', headers, body });
	const raw = Buffer.from(await response.arrayBuffer());
	let parsed: unknown;
	if (options.encoding === 'arraybuffer') parsed = raw;
	else {
		const text = raw.toString('utf8');
		try {
			parsed = JSON.parse(text);
		} catch {
			parsed = text;
		}
	}
	if (!options.ignoreHttpStatusErrors && response.status >= 400) {
		throw Object.assign(new Error(`Request failed with status code ${response.status}`), { response: { status: response.status, data: parsed } });
	}
	if (options.returnFullResponse) {
		return { body: parsed, headers: Object.fromEntries(response.headers.entries()), statusCode: response.status, statusMessage: response.statusText };
	}
	return parsed;
}

export const NODE: INode = {
	id: 'wa-node-1',
	name: 'WhatsApp',
	type: 'n8n-nodes-tiltedprompts.whatsApp',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

function context(options: RunOptions, messages: string[]): IExecuteFunctions & ILoadOptionsFunctions {
	const items: INodeExecutionData[] = options.items ?? [{ json: {} }];
	const creds = credentials(options.baseUrl, options.token);
	const credentialType = new WhatsAppCloudApi();
	const paramsFor = (i: number) => (typeof options.params === 'function' ? options.params(i) : options.params);
	const getNodeParameter = (name: string, i: number, fallback?: unknown, opts?: { extractValue?: boolean }) => {
		const params = paramsFor(i);
		if (!(name in params)) {
			if (fallback !== undefined) return fallback;
			throw new Error(`parameter ${name} not set in test`);
		}
		const value = params[name];
		if (opts?.extractValue && value && typeof value === 'object' && '__rl' in (value as IDataObject)) return (value as IDataObject).value;
		if (opts?.extractValue && value && typeof value === 'object' && 'mode' in (value as IDataObject)) return (value as IDataObject).value;
		return value;
	};
	const binaryOf = (i: number, property: string): IBinaryData => {
		const binary = items[i].binary?.[property];
		if (!binary) throw new Error(`Item ${i} has no binary field "${property}"`);
		return binary;
	};
	const ctx = {
		getNode: () => NODE,
		getInputData: () => items,
		continueOnFail: () => options.continueOnFail ?? false,
		getNodeParameter,
		getCurrentNodeParameter: (name: string) => getNodeParameter(name, 0, undefined),
		getCredentials: async (type: string) => {
			if (type !== credentialType.name) throw new Error(`unexpected credential type ${type}`);
			return creds;
		},
		sendMessageToUI: (message: string) => messages.push(message),
		helpers: {
			httpRequest,
			async httpRequestWithAuthentication(type: string, requestOptions: IHttpRequestOptions) {
				if (type !== credentialType.name) throw new Error(`unexpected credential type ${type}`);
				const authenticated = await credentialType.authenticate(creds as ICredentialDataDecryptedObject, { ...requestOptions, headers: { ...(requestOptions.headers ?? {}) } });
				return await httpRequest(authenticated);
			},
			assertBinaryData: (i: number, property: string) => binaryOf(i, property),
			getBinaryDataBuffer: async (i: number, property: string) => Buffer.from(binaryOf(i, property).data, 'base64'),
			prepareBinaryData: async (data: Buffer, fileName?: string, mimeType?: string): Promise<IBinaryData> => ({
				data: data.toString('base64'),
				fileName,
				mimeType: mimeType ?? 'application/octet-stream',
				fileSize: String(data.length),
			}),
		},
	};
	return ctx as unknown as IExecuteFunctions & ILoadOptionsFunctions;
}

export interface RunResult {
	output: INodeExecutionData[];
	messages: string[];
}

/** Runs the node's execute() as n8n would for one node run. */
export async function runNode(options: RunOptions): Promise<RunResult> {
	const messages: string[] = [];
	const node = new WhatsApp();
	const [output] = await node.execute.call(context(options, messages));
	return { output, messages };
}

export function loadOptionsContext(baseUrl: string): ILoadOptionsFunctions {
	return context({ params: {}, baseUrl }, []);
}

export const SENDER = { __rl: true, mode: 'list', value: DEFAULT_PHONE_NUMBER_ID };
