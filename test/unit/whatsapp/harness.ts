/**
 * The WhatsApp node on the shared n8n double (test/helpers/n8n.ts): the credential pointed at the
 * Graph API stand-in, and shortcuts the WhatsApp tests use.
 */
import type { IDataObject, ILoadOptionsFunctions, INode, INodeExecutionData } from 'n8n-workflow';
import { WhatsAppCloudApi } from '../../../credentials/WhatsAppCloudApi.credentials';
import { WhatsApp } from '../../../nodes/WhatsApp/WhatsApp.node';
import { loadOptionsContext as editorContext, nodeOf, runNode as run, type DoubleOptions } from '../../helpers/n8n';
import { DEFAULT_PHONE_NUMBER_ID, DEFAULT_WABA_ID } from '../../../sandbox';

export { httpRequest } from '../../helpers/n8n';

export const TOKEN = 'test-token-not-a-secret';

export interface RunOptions {
	/** Parameters: one object for all items, or a function of the item index. */
	params: IDataObject | ((i: number) => IDataObject);
	items?: INodeExecutionData[];
	continueOnFail?: boolean;
	baseUrl: string;
	token?: string;
	cancelSignal?: AbortSignal;
}

export function credentials(baseUrl: string, token = TOKEN): IDataObject {
	return { accessToken: token, businessAccountId: DEFAULT_WABA_ID, apiVersion: 'v23.0', baseUrl };
}

function double(options: RunOptions): DoubleOptions {
	return {
		nodeType: new WhatsApp(),
		params: options.params,
		items: options.items,
		continueOnFail: options.continueOnFail,
		credentials: { whatsAppCloudApi: credentials(options.baseUrl, options.token) },
		credentialTypes: [new WhatsAppCloudApi()],
		cancelSignal: options.cancelSignal,
	};
}

export const NODE: INode = nodeOf({ nodeType: new WhatsApp() });

export interface RunResult {
	output: INodeExecutionData[];
	messages: string[];
}

/** Runs the node's execute() as n8n would for one node run. */
export async function runNode(options: RunOptions): Promise<RunResult> {
	const { output, messages } = await run(double(options));
	return { output, messages };
}

export function loadOptionsContext(baseUrl: string): ILoadOptionsFunctions {
	return editorContext(double({ params: {}, baseUrl }));
}

export const SENDER = { __rl: true, mode: 'list', value: DEFAULT_PHONE_NUMBER_ID };
