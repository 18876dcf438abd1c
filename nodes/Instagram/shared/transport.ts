// The Instagram nodes' adapter of the HTTP core (nodes/shared/http.ts). Every call:
//   1. waits first if Meta's usage headers on the previous call said usage is high (and tells the user why),
//   2. goes out through the core with the credential (Authorization: Bearer), JSON in and out,
//   3. keeps the usage Meta reported on the answer,
//   4. turns Meta's error body into a NodeApiError with code, fix and fbtrace_id.
import {
	NodeApiError,
	sleep,
	type IDataObject,
	type IExecuteFunctions,
	type ILoadOptionsFunctions,
	type IPollFunctions,
	type JsonObject,
} from 'n8n-workflow';
import { graphUrl, type GraphRequest } from '../../shared/graph';
import { httpCall, isSuccess } from '../../shared/http';
import { backoffFor, DEFAULT_BACKOFF_POLICY, type BackoffPolicy, type MetaUsage } from '../../shared/metaUsage';
import { collectPages, graphCursor, type CollectOptions, type GraphPage } from '../../shared/pagination';
import { instagramApiError, type InstagramCallContext } from './errors';
import { graphBaseUrl, type InstagramCredentials } from './graph';

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

export async function getInstagramCredentials(this: InstagramContext): Promise<InstagramCredentials> {
	const raw = (await this.getCredentials(CREDENTIAL_NAME)) as unknown as InstagramCredentials;
	return {
		loginType: raw.loginType === 'instagram' ? 'instagram' : 'facebook',
		accessToken: raw.accessToken,
		accountId: String(raw.accountId ?? '').trim(),
		pageId: raw.pageId ? String(raw.pageId).trim() : undefined,
		apiVersion: raw.apiVersion,
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

/** A Graph call of the Instagram nodes: the shared request, and what it is for (some codes mean more). */
export interface InstagramRequest extends GraphRequest {
	purpose?: InstagramCallContext;
}

/** Waits (or refuses) as Meta's usage on the previous call of this run asks. */
async function respectUsage(context: InstagramContext, itemIndex: number): Promise<void> {
	const state = stateOf(context);
	const decision = backoffFor(state.usage, backoffPolicy(context, itemIndex));
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
}

export async function graphRequest(this: InstagramContext, request: InstagramRequest): Promise<IDataObject> {
	const itemIndex = request.itemIndex ?? 0;
	await respectUsage(this, itemIndex);
	const credentials = await getInstagramCredentials.call(this);
	const response = await httpCall.call(
		this,
		{
			method: request.method,
			url: graphUrl(graphBaseUrl(credentials), request),
			qs: request.qs,
			body: request.body,
			headers: request.headers,
		},
		{ credentialType: CREDENTIAL_NAME },
	);
	if (response.usage) stateOf(this).usage = response.usage;
	const body = response.body;
	const hasError = body !== null && typeof body === 'object' && 'error' in body;
	if (!isSuccess(response) || hasError) {
		const error = instagramApiError(this.getNode(), response, { itemIndex, context: request.purpose });
		if (response.usage && response.usage.regainAccessMinutes > 0) {
			error.description =
				`${error.description ?? ''} Meta says access returns in about ${response.usage.regainAccessMinutes} min.`.trim();
		}
		throw error;
	}
	return body as IDataObject;
}

/** GET an edge with Graph cursor pagination: every page (returnAll) or up to `limit` items. */
export async function graphRequestAll(
	this: InstagramContext,
	request: Omit<InstagramRequest, 'method'>,
	options: CollectOptions,
): Promise<IDataObject[]> {
	return await collectPages(
		async (after, pageSize) =>
			(await graphRequest.call(this, {
				...request,
				method: 'GET',
				qs: { ...(request.qs ?? {}), limit: pageSize, ...(after ? { after } : {}) },
			})) as GraphPage<IDataObject>,
		graphCursor<IDataObject>(),
		{ pageSize: 100, ...options },
	);
}
