import {
	NodeApiError,
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type JsonObject,
} from 'n8n-workflow';
import { searchMedia } from './listSearch/searchMedia';
import { accountDescription, accountOperations } from './resources/account';
import { commentDescription, commentOperations } from './resources/comment';
import { hashtagDescription, hashtagOperations } from './resources/hashtag';
import { mediaDescription, mediaOperations } from './resources/media';
import { messageDescription, messageOperations } from './resources/message';
import { publishDescription, publishOperations } from './resources/publish';
import type { OperationMap } from './resources/types';
import { rateLimitOptions } from './shared/rateLimitOptions';
import { metaErrorFields } from '../shared/metaErrors';

const OPERATIONS: Record<string, OperationMap> = {
	account: accountOperations,
	media: mediaOperations,
	comment: commentOperations,
	message: messageOperations,
	publish: publishOperations,
	hashtag: hashtagOperations,
};

// Imperative on purpose: every call reads Meta's usage headers (to back off) and maps Meta's
// errors with code, fix and fbtrace_id, and several operations paginate or poll containers.
export class Instagram implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Instagram',
		name: 'instagram',
		icon: { light: 'file:instagram.svg', dark: 'file:instagram.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Instagram Graph API: posts, comments, private replies, publishing, insights and hashtags',
		defaults: { name: 'Instagram' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'instagramApi', required: true }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Account', value: 'account' },
					{ name: 'Comment', value: 'comment' },
					{ name: 'Hashtag', value: 'hashtag' },
					{ name: 'Media', value: 'media' },
					{ name: 'Message', value: 'message' },
					{ name: 'Publish', value: 'publish' },
				],
				default: 'media',
			},
			...accountDescription,
			...mediaDescription,
			...commentDescription,
			...messageDescription,
			...publishDescription,
			...hashtagDescription,
			rateLimitOptions,
		],
	};

	methods = { listSearch: { searchMedia } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const out: INodeExecutionData[] = [];
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			try {
				const resource = this.getNodeParameter('resource', itemIndex) as string;
				const operation = this.getNodeParameter('operation', itemIndex) as string;
				const handler = OPERATIONS[resource]?.[operation];
				if (!handler) throw new NodeOperationError(this.getNode(), `Unknown operation "${operation}" for resource "${resource}"`, { itemIndex });
				const result = await handler.execute.call(this, itemIndex);
				for (const json of Array.isArray(result) ? result : [result]) out.push({ json, pairedItem: { item: itemIndex } });
			} catch (error) {
				if (!this.continueOnFail()) {
					// Both constructors hand back an error that is already theirs, unchanged.
					if (error instanceof NodeApiError) throw new NodeApiError(this.getNode(), error as unknown as JsonObject);
					throw new NodeOperationError(this.getNode(), error as Error, { itemIndex });
				}
				// The same layout as the WhatsApp and TiltedPrompts nodes: everything under `error`, with
				// Meta's own fields (code, subcode, details, fbtrace_id) so a workflow can branch on them.
				const failure: IDataObject = { message: (error as Error).message, description: (error as { description?: string | null }).description ?? null };
				if (error instanceof NodeApiError && error.httpCode) failure.http_status = Number(error.httpCode);
				Object.assign(failure, metaErrorFields(error));
				out.push({ json: { error: failure }, pairedItem: { item: itemIndex } });
			}
		}
		return [out];
	}
}
