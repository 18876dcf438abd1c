import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { searchMedia } from './listSearch/searchMedia';
import * as account from './resources/account';
import * as collaboration from './resources/collaboration';
import * as comment from './resources/comment';
import * as hashtag from './resources/hashtag';
import * as media from './resources/media';
import * as message from './resources/message';
import * as publish from './resources/publish';
import { rateLimitOptions } from './shared/rateLimitOptions';
import type { OperationTable } from '../shared/operation';
import { route } from '../shared/router';

const OPERATIONS: OperationTable = {
	account: account.operations,
	collaboration: collaboration.operations,
	media: media.operations,
	comment: comment.operations,
	message: message.operations,
	publish: publish.operations,
	hashtag: hashtag.operations,
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
		description:
			'Instagram Graph API: posts, comments, private replies, publishing (trial reels, collaborators), insights and hashtags',
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
					{ name: 'Collaboration', value: 'collaboration' },
					{ name: 'Comment', value: 'comment' },
					{ name: 'Hashtag', value: 'hashtag' },
					{ name: 'Media', value: 'media' },
					{ name: 'Message', value: 'message' },
					{ name: 'Publish', value: 'publish' },
				],
				default: 'media',
			},
			...account.description,
			...collaboration.description,
			...media.description,
			...comment.description,
			...message.description,
			...publish.description,
			...hashtag.description,
			rateLimitOptions,
		],
	};

	methods = { listSearch: { searchMedia } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [await route.call(this, OPERATIONS)];
	}
}
