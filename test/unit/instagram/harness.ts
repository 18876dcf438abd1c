// The Instagram nodes' test fixtures: the Graph API stand-in, credentials for it, and runs of the
// nodes through the shared n8n double (test/helpers/n8n.ts), whose HTTP helpers make REAL requests
// to the stand-in with n8n's semantics and the credential's own `authenticate`.
import type { IDataObject, INodeExecutionData, IPollFunctions, NodeExecutionHint } from 'n8n-workflow';
import { InstagramApi } from '../../../credentials/InstagramApi.credentials';
import { Instagram } from '../../../nodes/Instagram/Instagram.node';
import { InstagramTrigger } from '../../../nodes/InstagramTrigger/InstagramTrigger.node';
import {
	loadOptionsContext,
	newRecorder,
	pollContext,
	runNode,
	type DoubleOptions,
	type Params,
	type Recorder,
} from '../../helpers/n8n';
import {
	IG_ACCOUNT_ID,
	IG_PAGE_ID,
	instagram,
	startGraphStandIn,
	type GraphStandIn,
	type InstagramState,
	type InstagramStandInOptions,
} from '../../../sandbox';

export const TOKEN = 'ig-test-token';

export interface IgCredentials {
	loginType: 'facebook' | 'instagram';
	accessToken: string;
	accountId: string;
	pageId: string;
	apiVersion: string;
	baseUrl: string;
}

export async function startStandIn(
	options: InstagramStandInOptions = {},
): Promise<{ graph: GraphStandIn; ig: InstagramState }> {
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

function doubleOptions(
	nodeType: DoubleOptions['nodeType'],
	credentials: IgCredentials,
	params: DoubleOptions['params'],
): DoubleOptions {
	return { nodeType, params, credentials: { instagramApi: { ...credentials } }, credentialTypes: [new InstagramApi()] };
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
	params: Params,
	options: { items?: IDataObject[]; continueOnFail?: boolean } = {},
): Promise<ExecuteResult> {
	const run = await runNode({
		...doubleOptions(new Instagram(), credentials, params),
		items: options.items,
		continueOnFail: options.continueOnFail,
	});
	return { items: run.output, json: run.json, hints: run.hints, warnings: run.warnings };
}

const pollContexts = new WeakMap<
	IDataObject,
	{ context: IPollFunctions; params: { current: Params }; recorder: Recorder; mode: string }
>();

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
	params: Params,
	staticData: IDataObject,
	options: { mode?: 'trigger' | 'manual'; budgetMs?: number } = {},
): Promise<PollRun> {
	const node = new InstagramTrigger();
	const mode = options.mode ?? 'trigger';
	// n8n (classic mode) builds the poll functions once at activation and reuses them for every
	// poll of that activation: reuse one context per stored state, as n8n does.
	let known = pollContexts.get(staticData);
	if (known && known.mode === mode) known.params.current = params;
	else {
		const holder = { current: params };
		const recorder = newRecorder();
		const context = pollContext(
			{ ...doubleOptions(node, credentials, () => holder.current), mode, staticData, budgetMs: options.budgetMs },
			recorder,
		);
		known = { context, params: holder, recorder, mode };
		pollContexts.set(staticData, known);
	}
	const result = await node.poll.call(known.context);
	return { result, emitted: result ? result[0].map((item) => item.json) : [], warnings: known.recorder.warnings };
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
	const context = loadOptionsContext(doubleOptions(node, credentials, {}));
	return await node.methods.listSearch.searchMedia.call(context, filter, paginationToken);
}
