/**
 * The one test double of n8n's node contexts (IExecuteFunctions, ILoadOptionsFunctions,
 * IPollFunctions, IHookFunctions, IWebhookFunctions) for every node unit test.
 *
 * Faithful where our nodes depend on n8n's behaviour:
 *   - parameters: the value the test gives (a value, a function of the item index, or a function of
 *     the item index returning every parameter), else the node description's default when its
 *     displayOptions match, else the caller's fallback, else n8n's "Could not get parameter" error;
 *     `extractValue` unwraps resource locators;
 *   - HTTP: REAL requests (fetch) with the semantics of n8n 2.40's request helper: url + qs
 *     (arrays as `key[]`, objects as JSON), object bodies as JSON (none on GET), string and Buffer
 *     bodies raw, `encoding: 'arraybuffer'` gives a Buffer, `returnFullResponse` gives
 *     { body, headers, statusCode, statusMessage } with lower-case header names,
 *     `ignoreHttpStatusErrors` stops the throw on non-2xx; `httpRequestWithAuthentication` applies
 *     the credential type's own `authenticate` (with `credentialsDecrypted` data when given);
 *   - `constructExecutionMetaData` / `returnJsonArray` as n8n defines them; binary data helpers.
 * Every HTTP call is recorded in `calls`; hints, log warnings and UI messages are recorded too.
 */
import type {
	IBinaryData,
	ICredentialDataDecryptedObject,
	ICredentialType,
	IDataObject,
	IExecuteFunctions,
	IHookFunctions,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	INode,
	INodeExecutionData,
	INodeProperties,
	INodeType,
	IPollFunctions,
	IWebhookFunctions,
	NodeExecutionHint,
} from 'n8n-workflow';

export type Params = Record<string, unknown>;

export interface HttpCall {
	method: string;
	url: string;
	headers: Record<string, string>;
	body?: string | Uint8Array;
	status: number;
}

export interface DoubleOptions {
	/** The node under test: its description gives parameter defaults, its name the node type. */
	nodeType: INodeType;
	/** Parameter values (a function value is called with the item index), or a function of the item index. */
	params?: Params | ((itemIndex: number) => Params);
	/** Input items: JSON objects, or full items (with binary data). Default: one empty item. */
	items?: Array<IDataObject | INodeExecutionData>;
	/** Credential data by credential type name. */
	credentials?: Record<string, IDataObject>;
	/** The credential types whose `authenticate` httpRequestWithAuthentication applies. */
	credentialTypes?: ICredentialType[];
	continueOnFail?: boolean;
	nodeName?: string;
	mode?: 'manual' | 'trigger' | 'webhook';
	staticData?: IDataObject;
	/** The execution's cancel signal (aborted when the user stops the execution). */
	cancelSignal?: AbortSignal;
}

export interface Recorder {
	calls: HttpCall[];
	hints: NodeExecutionHint[];
	warnings: string[];
	messages: string[];
}

// ---- HTTP, as n8n's request helper does it ---------------------------------------------------

function serializeQs(url: URL, qs: IDataObject | undefined): void {
	for (const [key, value] of Object.entries(qs ?? {})) {
		if (value === undefined || value === null) continue;
		if (Array.isArray(value)) value.forEach((v) => url.searchParams.append(`${key}[]`, String(v)));
		else url.searchParams.append(key, typeof value === 'object' ? JSON.stringify(value) : String(value));
	}
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
	return Object.keys(headers).some((key) => key.toLowerCase() === name);
}

function requestBody(options: IHttpRequestOptions, headers: Record<string, string>): string | Uint8Array | undefined {
	const method = (options.method ?? 'GET').toUpperCase();
	if (options.body === undefined || options.body === null || method === 'GET' || method === 'HEAD') return undefined;
	if (Buffer.isBuffer(options.body)) return new Uint8Array(options.body);
	if (typeof options.body === 'string') return options.body;
	if (!hasHeader(headers, 'content-type')) headers['Content-Type'] = 'application/json';
	return JSON.stringify(options.body);
}

/** n8n's `helpers.httpRequest`, over real HTTP. */
export async function httpRequest(options: IHttpRequestOptions, calls?: HttpCall[]): Promise<unknown> {
	// axios joins baseURL and a relative url by concatenation, not RFC 3986 resolution.
	const absolute = /^[a-z][a-z\d+\-.]*:\/\//i.test(options.url);
	const url = new URL(
		absolute || !options.baseURL
			? options.url
			: `${options.baseURL.replace(/\/+$/, '')}/${options.url.replace(/^\/+/, '')}`,
	);
	serializeQs(url, options.qs);
	const headers: Record<string, string> = {};
	for (const [key, value] of Object.entries(options.headers ?? {}))
		if (value !== undefined) headers[key] = String(value);
	const body = requestBody(options, headers);
	if (options.json && !hasHeader(headers, 'accept')) headers.Accept = 'application/json';
	const response = await fetch(url, {
		method: options.method ?? 'GET',
		headers,
		body,
		...(options.timeout ? { signal: AbortSignal.timeout(options.timeout) } : {}),
	});
	const raw = Buffer.from(await response.arrayBuffer());
	calls?.push({ method: options.method ?? 'GET', url: url.toString(), headers, body, status: response.status });
	let parsed: unknown;
	if (options.encoding === 'arraybuffer') parsed = raw;
	else {
		const text = raw.toString('utf8');
		try {
			parsed = text ? JSON.parse(text) : '';
		} catch {
			parsed = text;
		}
	}
	if (!options.ignoreHttpStatusErrors && (response.status < 200 || response.status >= 300)) {
		throw Object.assign(new Error(`Request failed with status code ${response.status}`), {
			response: { status: response.status, data: parsed },
		});
	}
	if (!options.returnFullResponse) return parsed;
	const responseHeaders: Record<string, string> = {};
	response.headers.forEach((value, key) => (responseHeaders[key.toLowerCase()] = value));
	return { body: parsed, headers: responseHeaders, statusCode: response.status, statusMessage: response.statusText };
}

// ---- parameters, as n8n resolves them --------------------------------------------------------

function displayed(property: INodeProperties, lookup: (name: string) => unknown): boolean {
	const rules = (set: Record<string, unknown> | undefined) =>
		Object.entries(set ?? {})
			.filter(([key]) => !key.startsWith('@'))
			.map(([key, allowed]) => Array.isArray(allowed) && allowed.includes(lookup(key)));
	const { show, hide } = property.displayOptions ?? {};
	// n8n: shown when every `show` rule matches and no `hide` rule does.
	return rules(show).every(Boolean) && !rules(hide).some(Boolean);
}

/** The node's default for a parameter shown with the other parameters' values. */
export function describedDefault(
	properties: INodeProperties[],
	name: string,
	given: (name: string) => unknown,
	depth = 0,
): unknown {
	if (depth > 10) return undefined;
	const lookup = (key: string) => given(key) ?? describedDefault(properties, key, given, depth + 1);
	const property = properties.find((p) => p.name === name && displayed(p, lookup));
	return property?.default;
}

function unwrapLocator(value: unknown): unknown {
	if (value && typeof value === 'object' && ('__rl' in value || 'mode' in value) && 'value' in value)
		return (value as { value: unknown }).value;
	return value;
}

export function parameterGetter(options: DoubleOptions) {
	const paramsFor = (itemIndex: number): Params =>
		typeof options.params === 'function' ? options.params(itemIndex) : (options.params ?? {});
	return (name: string, itemIndex: number, fallback?: unknown, extra?: { extractValue?: boolean }): unknown => {
		const params = paramsFor(itemIndex);
		const given = (key: string) => {
			const value = params[key];
			return typeof value === 'function' ? (value as (i: number) => unknown)(itemIndex) : value;
		};
		let value = given(name);
		if (value === undefined) {
			value = describedDefault(options.nodeType.description.properties, name, given);
			if (typeof value === 'string' && value.startsWith('=')) {
				throw new Error(
					`test double cannot evaluate the expression default of "${name}" (${value}); give the parameter a value`,
				);
			}
		}
		if (value === undefined) value = fallback;
		if (value === undefined) throw new Error(`Could not get parameter "${name}"`);
		return extra?.extractValue ? unwrapLocator(value) : value;
	};
}

// ---- the contexts ----------------------------------------------------------------------------

export function nodeOf(options: DoubleOptions): INode {
	const description = options.nodeType.description;
	return {
		id: `${description.name}-node-1`,
		name: options.nodeName ?? description.defaults.name ?? description.displayName,
		type: `n8n-nodes-tiltedprompts.${description.name}`,
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
}

function inputItems(options: DoubleOptions): INodeExecutionData[] {
	return (options.items ?? [{}]).map((item) =>
		item &&
		typeof item === 'object' &&
		'json' in item &&
		typeof item.json === 'object' &&
		item.json !== null &&
		!Array.isArray(item.json)
			? (item as INodeExecutionData)
			: { json: item as IDataObject },
	);
}

function httpHelpers(options: DoubleOptions, recorder: Recorder) {
	const credentialData = (type: string): IDataObject => {
		const data = options.credentials?.[type];
		if (!data) throw new Error(`Node does not have credentials of type "${type}" in this test`);
		return data;
	};
	return {
		httpRequest: async (request: IHttpRequestOptions) => await httpRequest(request, recorder.calls),
		async httpRequestWithAuthentication(
			type: string,
			request: IHttpRequestOptions,
			additional?: { credentialsDecrypted?: { data?: ICredentialDataDecryptedObject } },
		): Promise<unknown> {
			const credentialType = options.credentialTypes?.find((c) => c.name === type);
			if (!credentialType) throw new Error(`unexpected credential type ${type}`);
			const data = (additional?.credentialsDecrypted?.data ?? credentialData(type)) as ICredentialDataDecryptedObject;
			const authenticate = credentialType.authenticate;
			if (typeof authenticate !== 'function') throw new Error(`credential type ${type} has no authenticate function`);
			const signed = await authenticate(data, { ...request, headers: { ...(request.headers ?? {}) } });
			return await httpRequest(signed, recorder.calls);
		},
	};
}

function commonMembers(options: DoubleOptions, recorder: Recorder) {
	const node = nodeOf(options);
	const staticData = options.staticData ?? {};
	return {
		getNode: () => node,
		getMode: () => options.mode ?? 'manual',
		getWorkflow: () => ({ id: 'wf-test', name: 'Test workflow', active: true }),
		getWorkflowStaticData: () => staticData,
		getCredentials: async (type: string) => {
			const data = options.credentials?.[type];
			if (!data) throw new Error(`Node does not have credentials of type "${type}" in this test`);
			return data;
		},
		logger: {
			warn: (message: string) => recorder.warnings.push(message),
			info: () => undefined,
			debug: () => undefined,
			error: () => undefined,
		},
	};
}

export function newRecorder(): Recorder {
	return { calls: [], hints: [], warnings: [], messages: [] };
}

export function executeContext(options: DoubleOptions, recorder: Recorder = newRecorder()): IExecuteFunctions {
	const items = inputItems(options);
	const getNodeParameter = parameterGetter(options);
	const binaryOf = (i: number, property: string): IBinaryData => {
		const binary = items[i]?.binary?.[property];
		if (!binary) throw new Error(`Item ${i} has no binary field "${property}"`);
		return binary;
	};
	const context = {
		...commonMembers(options, recorder),
		getInputData: () => items,
		getNodeParameter,
		continueOnFail: () => options.continueOnFail ?? false,
		addExecutionHints: (...hints: NodeExecutionHint[]) => recorder.hints.push(...hints),
		sendMessageToUI: (message: string) => recorder.messages.push(message),
		getExecutionCancelSignal: () => options.cancelSignal,
		helpers: {
			...httpHelpers(options, recorder),
			returnJsonArray: (data: IDataObject | IDataObject[]) =>
				(Array.isArray(data) ? data : [data]).map((json) => ({ json })),
			constructExecutionMetaData: (data: INodeExecutionData[], meta: { itemData: INodeExecutionData['pairedItem'] }) =>
				data.map(({ json, ...rest }) => ({ json, pairedItem: meta.itemData, ...rest })),
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
	return context as unknown as IExecuteFunctions;
}

/** The editor's context for list searches and load-options methods. */
export function loadOptionsContext(options: DoubleOptions, recorder: Recorder = newRecorder()): ILoadOptionsFunctions {
	const getter = parameterGetter(options);
	const execute = executeContext(options, recorder) as unknown as Record<string, unknown>;
	// ILoadOptionsFunctions.getNodeParameter takes (name, fallback, options): there is no item.
	const context = {
		...execute,
		getNodeParameter: (name: string, fallback?: unknown, extra?: { extractValue?: boolean }) =>
			getter(name, 0, fallback, extra),
		getCurrentNodeParameter: (name: string, extra?: { extractValue?: boolean }) =>
			getter(name, 0, null, extra) ?? undefined,
	};
	return context as unknown as ILoadOptionsFunctions;
}

/** A poll context: getNodeParameter(name, fallback), a poll budget, static data. */
export function pollContext(
	options: DoubleOptions & { budgetMs?: number },
	recorder: Recorder = newRecorder(),
): IPollFunctions {
	const getter = parameterGetter(options);
	const context = {
		...commonMembers({ mode: 'trigger', ...options }, recorder),
		getNodeParameter: (name: string, fallback?: unknown, extra?: { extractValue?: boolean }) =>
			getter(name, 0, fallback, extra),
		getActivationMode: () => 'activate',
		getPollBudgetMs: () => options.budgetMs ?? 60_000,
		helpers: {
			...httpHelpers(options, recorder),
			returnJsonArray: (data: IDataObject | IDataObject[]) =>
				(Array.isArray(data) ? data : [data]).map((json) => ({ json })),
		},
	};
	return context as unknown as IPollFunctions;
}

/** A webhook-setup context (checkExists / create / delete). */
export function hookContext(
	options: DoubleOptions & { webhookUrl: string },
	recorder: Recorder = newRecorder(),
): IHookFunctions {
	const getter = parameterGetter(options);
	const context = {
		...commonMembers({ mode: 'trigger', ...options }, recorder),
		getNodeParameter: (name: string, fallback?: unknown) => getter(name, 0, fallback),
		getNodeWebhookUrl: () => options.webhookUrl,
		helpers: httpHelpers(options, recorder),
	};
	return context as unknown as IHookFunctions;
}

export interface CapturedResponse {
	status?: number;
	body?: unknown;
}

/** A webhook call as n8n makes it: request with the raw body bytes, and a response recorder. */
export function webhookContext(
	options: DoubleOptions & { headers: Record<string, string>; rawBody: Buffer },
	recorder: Recorder = newRecorder(),
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
	const headers: Record<string, string> = {};
	for (const [key, value] of Object.entries(options.headers)) headers[key.toLowerCase()] = value;
	let body: unknown;
	try {
		body = JSON.parse(options.rawBody.toString('utf8') || 'null');
	} catch {
		body = options.rawBody.toString('utf8');
	}
	const webhook = {
		...commonMembers({ mode: 'webhook', ...options }, recorder),
		getNodeParameter: (name: string, fallback?: unknown) => getter(name, 0, fallback),
		getRequestObject: () => ({ headers, rawBody: options.rawBody, body }),
		getResponseObject: () => res,
		helpers: {
			returnJsonArray: (data: IDataObject | IDataObject[]) =>
				(Array.isArray(data) ? data : [data]).map((json) => ({ json })),
		},
	};
	return { webhook: webhook as unknown as IWebhookFunctions, response };
}

export interface RunResult extends Recorder {
	output: INodeExecutionData[];
	json: IDataObject[];
}

/** Runs a node's execute() as n8n does for one node run. */
export async function runNode(options: DoubleOptions): Promise<RunResult> {
	const recorder = newRecorder();
	const execute = options.nodeType.execute;
	if (!execute) throw new Error(`${options.nodeType.description.name} has no execute()`);
	const [output] = (await execute.call(executeContext(options, recorder))) as INodeExecutionData[][];
	return { ...recorder, output, json: output.map((item) => item.json) };
}
