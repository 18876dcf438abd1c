// Test doubles of n8n's IExecuteFunctions / IPollFunctions for the Instagram nodes. Their HTTP
// helper makes REAL requests (to the Graph API stand-in) and behaves like n8n's: the credential's
// `authenticate` headers are applied, qs is encoded, JSON bodies are sent, `returnFullResponse`
// gives { body, headers, statusCode }, and non-2xx throws unless `ignoreHttpStatusErrors`.
// Parameters not set by a test take the node description's default, as n8n does.
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	INode,
	INodeExecutionData,
	INodeProperties,
	INodeType,
	IPollFunctions,
	NodeExecutionHint,
} from 'n8n-workflow';
import { InstagramApi } from '../../../credentials/InstagramApi.credentials';
import { Instagram } from '../../../nodes/Instagram/Instagram.node';
import { InstagramTrigger } from '../../../nodes/InstagramTrigger/InstagramTrigger.node';
import { IG_ACCOUNT_ID, IG_PAGE_ID, instagram, startGraphStandIn, type GraphStandIn, type InstagramState, type InstagramStandInOptions } from '../../../sandbox';

export const TOKEN = 'ig-test-token';

export interface IgCredentials {
	loginType: 'facebook' | 'instagram';
	accessToken: string;
	accountId: string;
	pageId: string;
	apiVersion: string;
	baseUrl: string;
}

export async function startStandIn(options: InstagramStandInOptions = {}): Promise<{ graph: GraphStandIn; ig: InstagramState }> {
	const graph = await startGraphStandIn({ modules: [instagram(options)], validTokens: [TOKEN] });
	return { graph, ig: graph.state.instagram as InstagramState };
}

export function credentialsFor(graph: GraphStandIn, overrides: Partial<IgCredentials> = {}): IgCredentials {
	const loginType = overrides.loginType ?? 'facebook';
	return {
		loginType,
		accessToken: TOKEN,
		accountId: IG_ACCOUNT_ID,
		pageId: loginType === 'facebook' ? IG_PAGE_ID : '',
		apiVersion: 'v24.0',
		baseUrl: `${graph.url}/${loginType === 'facebook' ? 'graph.facebook.com' : 'graph.instagram.com'}`,
		...overrides,
	};
}

/** The headers the credential's own `authenticate` adds, as n8n's httpRequestWithAuthentication applies it. */
async function authHeaders(credentials: IgCredentials): Promise<Record<string, string>> {
	const options = await new InstagramApi().authenticate(credentials as unknown as ICredentialDataDecryptedObject, { url: '', headers: {} });
	return options.headers as Record<string, string>;
}

async function httpRequest(credentials: IgCredentials, options: IHttpRequestOptions): Promise<unknown> {
	const url = new URL(options.baseURL ? `${options.baseURL.replace(/\/+$/, '')}${options.url}` : options.url);
	for (const [key, value] of Object.entries(options.qs ?? {})) {
		if (value === undefined || value === null) continue;
		url.searchParams.set(key, typeof value === 'object' ? JSON.stringify(value) : String(value));
	}
	const headers: Record<string, string> = { ...((options.headers ?? {}) as Record<string, string>), ...(await authHeaders(credentials)) };
	let body: string | undefined;
	if (options.body !== undefined) {
		body = JSON.stringify(options.body);
		headers['content-type'] = 'application/json';
	}
	const response = await fetch(url, { method: options.method ?? 'GET', headers, body });
	const text = await response.text();
	let parsed: unknown = text;
	if (options.json !== false) {
		try {
			parsed = text ? JSON.parse(text) : undefined;
		} catch {
			parsed = text;
		}
	}
	const responseHeaders: Record<string, string> = {};
	response.headers.forEach((value, key) => (responseHeaders[key.toLowerCase()] = value));
	if (response.status >= 400 && !options.ignoreHttpStatusErrors) {
		throw Object.assign(new Error(`Request failed with status code ${response.status}`), { response: { status: response.status, data: parsed } });
	}
	return options.returnFullResponse ? { body: parsed, headers: responseHeaders, statusCode: response.status, statusMessage: response.statusText } : parsed;
}

/** The node's default for a parameter whose displayOptions match the other parameters. */
function describedDefault(properties: INodeProperties[], name: string, params: IDataObject): unknown {
	for (const property of properties) {
		if (property.name !== name) continue;
		const show = property.displayOptions?.show ?? {};
		const matches = Object.entries(show).every(([key, allowed]) => {
			if (key.startsWith('@')) return true;
			const value = params[key] ?? describedDefault(properties, key, params);
			return (allowed as unknown[]).includes(value);
		});
		if (matches) return property.default;
	}
	return undefined;
}

function parameter(node: INodeType, params: IDataObject, name: string, itemIndex: number, fallback: unknown, options?: { extractValue?: boolean }): unknown {
	let value: unknown = params[name];
	if (typeof value === 'function') value = (value as (i: number) => unknown)(itemIndex);
	if (value === undefined) value = describedDefault(node.description.properties, name, params);
	if (value === undefined) value = fallback;
	if (options?.extractValue && value && typeof value === 'object' && '__rl' in (value as object)) return (value as { value: unknown }).value;
	return value;
}

function nodeOf(type: string, params: IDataObject): INode {
	return { id: 'node-1', name: type === 'instagram' ? 'Instagram' : 'Instagram Trigger', type: `n8n-nodes-tiltedprompts.${type}`, typeVersion: 1, position: [0, 0], parameters: params as INode['parameters'] };
}

export interface ExecuteResult {
	items: INodeExecutionData[];
	json: IDataObject[];
	hints: NodeExecutionHint[];
	warnings: string[];
}

/** Runs Instagram.execute() with these parameters on these input items. */
export async function runInstagram(
	credentials: IgCredentials,
	params: IDataObject,
	options: { items?: IDataObject[]; continueOnFail?: boolean } = {},
): Promise<ExecuteResult> {
	const node = new Instagram();
	const input: INodeExecutionData[] = (options.items ?? [{}]).map((json) => ({ json }));
	const hints: NodeExecutionHint[] = [];
	const warnings: string[] = [];
	const context = {
		getInputData: () => input,
		getNodeParameter: (name: string, itemIndex: number, fallback?: unknown, opts?: { extractValue?: boolean }) => parameter(node, params, name, itemIndex, fallback, opts),
		getNode: () => nodeOf('instagram', params),
		getCredentials: async () => credentials,
		continueOnFail: () => options.continueOnFail === true,
		addExecutionHints: (...added: NodeExecutionHint[]) => hints.push(...added),
		getMode: () => 'manual',
		logger: { warn: (message: string) => warnings.push(message), info: () => undefined, debug: () => undefined, error: () => undefined },
		helpers: {
			httpRequestWithAuthentication: async (_name: string, request: IHttpRequestOptions) => await httpRequest(credentials, request),
		},
	} as unknown as IExecuteFunctions;
	const [items] = await node.execute.call(context);
	return { items, json: items.map((item) => item.json), hints, warnings };
}

const pollContexts = new WeakMap<IDataObject, { context: IPollFunctions; params: { current: IDataObject }; warnings: string[]; mode: string }>();

export interface PollRun {
	result: INodeExecutionData[][] | null;
	emitted: IDataObject[];
	warnings: string[];
}

/**
 * One poll of the Instagram Trigger. `staticData` is the stored node state: pass the same object
 * across polls; `restart()` below round-trips it through JSON the way n8n persists it.
 */
export async function pollTrigger(
	credentials: IgCredentials,
	params: IDataObject,
	staticData: IDataObject,
	options: { mode?: 'trigger' | 'manual'; budgetMs?: number } = {},
): Promise<PollRun> {
	const node = new InstagramTrigger();
	// n8n (classic mode) builds the poll functions once at activation and reuses them for every
	// poll of that activation: reuse one context per stored state, as n8n does.
	const known = pollContexts.get(staticData);
	if (known && known.mode === (options.mode ?? 'trigger')) {
		known.params.current = params;
		const result = await node.poll.call(known.context);
		return { result, emitted: result ? result[0].map((item) => item.json) : [], warnings: known.warnings };
	}
	const warnings: string[] = [];
	const holder = { current: params };
	const context = {
		getNodeParameter: (name: string, fallback?: unknown) => parameter(node, holder.current, name, 0, fallback),
		getNode: () => nodeOf('instagramTrigger', holder.current),
		getCredentials: async () => credentials,
		getMode: () => options.mode ?? 'trigger',
		getActivationMode: () => 'activate',
		getWorkflowStaticData: () => staticData,
		getPollBudgetMs: () => options.budgetMs ?? 60_000,
		logger: { warn: (message: string) => warnings.push(message), info: () => undefined, debug: () => undefined, error: () => undefined },
		helpers: {
			httpRequestWithAuthentication: async (_name: string, request: IHttpRequestOptions) => await httpRequest(credentials, request),
		},
	} as unknown as IPollFunctions;
	pollContexts.set(staticData, { context, params: holder, warnings, mode: options.mode ?? 'trigger' });
	const result = await node.poll.call(context);
	return { result, emitted: result ? result[0].map((item) => item.json) : [], warnings };
}

/** What n8n keeps of static data across a restart: its JSON. */
export function restart(staticData: IDataObject): IDataObject {
	return JSON.parse(JSON.stringify(staticData)) as IDataObject;
}

/** Requests the stand-in received for one route name, e.g. "instagram.container.create". */
export function requestsTo(graph: GraphStandIn, route: string) {
	return graph.requests.filter((request) => request.route === route);
}

/** The Media picker's list search, as the editor calls it. */
export async function searchMediaList(credentials: IgCredentials, filter?: string, paginationToken?: string) {
	const node = new Instagram();
	const context = {
		getNodeParameter: (_name: string, fallback?: unknown) => fallback,
		getCurrentNodeParameter: () => undefined,
		getNode: () => nodeOf('instagram', {}),
		getCredentials: async () => credentials,
		logger: { warn: () => undefined, info: () => undefined, debug: () => undefined, error: () => undefined },
		helpers: {
			httpRequestWithAuthentication: async (_name: string, request: IHttpRequestOptions) => await httpRequest(credentials, request),
		},
	};
	return await node.methods.listSearch.searchMedia.call(context as never, filter, paginationToken);
}
