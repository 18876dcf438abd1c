// The only place the Instagram nodes make HTTP calls. Every call:
//   1. waits first if Meta's usage headers on the previous call said usage is high (and tells the user why),
//   2. goes out with the credential (Authorization: Bearer), JSON in and out,
//   3. reads X-App-Usage / X-Business-Use-Case-Usage from the answer,
//   4. turns Meta's error body into a NodeApiError with code, fix and fbtrace_id.
import {
	NodeApiError,
	sleep,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestMethods,
	type IHttpRequestOptions,
	type ILoadOptionsFunctions,
	type IPollFunctions,
	type JsonObject,
} from 'n8n-workflow';
import { backoffFor, DEFAULT_BACKOFF_POLICY, parseUsageHeaders, type BackoffPolicy, type MetaUsage } from '../../shared/metaUsage';
import { instagramApiError, type InstagramCallContext } from './errors';
import { graphBaseUrl, type InstagramCredentials } from './graph';
import { collectPages, type CollectOptions, type GraphPage } from './pagination';

export type InstagramContext = IExecuteFunctions | IPollFunctions | ILoadOptionsFunctions;

export const CREDENTIAL_NAME = 'instagramApi';

interface CallState {
	usage?: MetaUsage;
	notices: Set<string>;
}

// One state per node run (the context object lives for one execute()/poll()).
const states = new WeakMap<object, CallState>();

function stateOf(context: object): CallState {
	let state = states.get(context);
	if (!state) {
		state = { notices: new Set() };
		states.set(context, state);
	}
	return state;
}

export async function getInstagramCredentials(context: InstagramContext): Promise<InstagramCredentials> {
	const raw = (await context.getCredentials(CREDENTIAL_NAME)) as unknown as InstagramCredentials;
	return {
		loginType: raw.loginType === 'instagram' ? 'instagram' : 'facebook',
		accessToken: raw.accessToken,
		accountId: String(raw.accountId ?? '').trim(),
		pageId: raw.pageId ? String(raw.pageId).trim() : undefined,
		apiVersion: raw.apiVersion || 'v24.0',
		baseUrl: raw.baseUrl,
	};
}

function backoffPolicy(context: InstagramContext, itemIndex: number): BackoffPolicy {
	let options: IDataObject = {};
	try {
		// Poll functions take (name, fallback); execute functions take (name, itemIndex, fallback).
		const value =
			'getPollBudgetMs' in context
				? (context as IPollFunctions).getNodeParameter('rateLimits', {})
				: (context as IExecuteFunctions).getNodeParameter('rateLimits', itemIndex, {});
		options = value && typeof value === 'object' ? (value as IDataObject) : {};
	} catch {
		options = {};
	}
	const slowDown = Number(options.slowDownAtPercent);
	const maxWait = Number(options.maxWaitSeconds);
	return {
		slowDownAtPercent: Number.isFinite(slowDown) && slowDown > 0 ? slowDown : DEFAULT_BACKOFF_POLICY.slowDownAtPercent,
		maxWaitMs: Number.isFinite(maxWait) && maxWait >= 0 ? maxWait * 1000 : DEFAULT_BACKOFF_POLICY.maxWaitMs,
	};
}

/** Tells the user once per run why the node is slowing down: an execution hint and a log line. */
function notify(context: InstagramContext, message: string): void {
	const state = stateOf(context);
	if (state.notices.has(message)) return;
	state.notices.add(message);
	context.logger?.warn(`Instagram: ${message}`);
	const withHints = context as Partial<IExecuteFunctions>;
	if (typeof withHints.addExecutionHints === 'function') {
		withHints.addExecutionHints({ message: `Instagram: ${message}`, type: 'warning', location: 'outputPane' });
	}
}

/**
 * n8n reuses a poll context across polls: start each poll afresh, so a throttle reported an hour ago
 * cannot stop every later poll before it asks Meta again.
 */
export function beginRun(context: InstagramContext): void {
	states.delete(context);
}

/** Usage Meta reported on the last call of this run, if any. */
export function lastUsage(context: InstagramContext): MetaUsage | undefined {
	return stateOf(context).usage;
}

export interface GraphRequest {
	method: IHttpRequestMethods;
	/** Path after the version, e.g. `/17841400000000000/media`. */
	path: string;
	qs?: IDataObject;
	body?: IDataObject;
	itemIndex?: number;
	context?: InstagramCallContext;
}

export async function graphRequest<T = IDataObject>(context: InstagramContext, request: GraphRequest): Promise<T> {
	const itemIndex = request.itemIndex ?? 0;
	const state = stateOf(context);
	const policy = backoffPolicy(context, itemIndex);

	const decision = backoffFor(state.usage, policy);
	if (decision.action === 'stop') {
		throw new NodeApiError(context.getNode(), { message: decision.message } as JsonObject, {
			message: `Instagram rate limit: ${decision.message}`,
			description: `Usage reported by Meta on the previous call: ${JSON.stringify(state.usage)}`,
			itemIndex,
			failure: { cause: 'rate-limited' },
		});
	}
	if (decision.action === 'wait' && decision.waitMs > 0) {
		notify(context, decision.message);
		await sleep(decision.waitMs);
	}

	const credentials = await getInstagramCredentials(context);
	const options: IHttpRequestOptions = {
		method: request.method,
		url: `${graphBaseUrl(credentials)}${request.path}`,
		qs: request.qs,
		body: request.body,
		json: true,
		headers: { Accept: 'application/json' },
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
	};
	if (!request.body) delete options.body;
	if (!request.qs) delete options.qs;

	const response = (await context.helpers.httpRequestWithAuthentication.call(context, CREDENTIAL_NAME, options)) as {
		body: unknown;
		headers?: Record<string, unknown>;
		statusCode: number;
	};
	const usage = parseUsageHeaders(response.headers);
	if (usage) state.usage = usage;

	let body = response.body;
	if (typeof body === 'string' && body.trim().startsWith('{')) {
		try {
			body = JSON.parse(body);
		} catch {
			// keep the text for the error message
		}
	}
	const hasError = body !== null && typeof body === 'object' && 'error' in (body as object);
	if (response.statusCode >= 400 || hasError) {
		const error = instagramApiError(context.getNode(), { body, status: response.statusCode, headers: response.headers }, { itemIndex, context: request.context });
		if (usage && usage.regainAccessMinutes > 0) {
			error.description = `${error.description ?? ''} Meta says access returns in about ${usage.regainAccessMinutes} min.`.trim();
		}
		throw error;
	}
	return body as T;
}

/** GET an edge with cursor pagination: every page (returnAll) or up to `limit` items. */
export async function graphRequestAll<T = IDataObject>(
	context: InstagramContext,
	request: Omit<GraphRequest, 'method'>,
	options: CollectOptions,
): Promise<T[]> {
	return await collectPages<T>(
		async (after, pageSize) =>
			await graphRequest<GraphPage<T>>(context, {
				...request,
				method: 'GET',
				qs: { ...(request.qs ?? {}), limit: pageSize, ...(after ? { after } : {}) },
			}),
		{ pageSize: 100, ...options },
	);
}
