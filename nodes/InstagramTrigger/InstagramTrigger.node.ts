import {
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type IPollFunctions,
} from 'n8n-workflow';
import { splitList } from '../Instagram/shared/graph';
import { rateLimitOptions } from '../Instagram/shared/rateLimitOptions';
import { beginRun, getInstagramCredentials, graphRequest } from '../Instagram/shared/transport';
import { collectPages, nextGraphCursor, type CursorAdapter, type GraphPage } from '../shared/pagination';
import {
	DEFAULT_LOOKBACK_MS,
	firstPoll,
	isSeenState,
	matchKeywords,
	parseTimestamp,
	selectNew,
	type SeenState,
} from './seen';

const POST_FIELDS =
	'id,caption,media_type,media_product_type,media_url,thumbnail_url,permalink,shortcode,timestamp,username,like_count,comments_count';
const REPLY_FIELDS = 'id,text,timestamp,username,like_count,hidden,from,parent_id';
const COMMENT_FIELDS = REPLY_FIELDS;
/** Comments with their replies expanded in the same call (Graph field expansion). */
const COMMENT_WITH_REPLIES_FIELDS = `${REPLY_FIELDS},replies{${REPLY_FIELDS}}`;
const MAX_POST_PAGES = 10;
const MAX_COMMENT_PAGES = 5;

interface Post extends IDataObject {
	id: string;
	timestamp?: string;
	caption?: string;
	permalink?: string;
}

interface Comment extends IDataObject {
	id: string;
	timestamp?: string;
	text?: string;
	parent_id?: string;
	replies?: GraphPage<Comment>;
}

// Polls the Graph API. Comment and mention *webhooks* arrive through the TiltedPrompts service and
// its trigger instead; this node needs no public URL.
export class InstagramTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Instagram Trigger',
		name: 'instagramTrigger',
		icon: { light: 'file:instagram.svg', dark: 'file:instagram.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{$parameter["event"] === "newComment" ? "New comment" : "New post"}}',
		description: 'Starts a workflow when the Instagram account publishes a post or gets a comment (polling)',
		defaults: { name: 'Instagram Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'instagramApi', required: true }],
		properties: [
			{
				displayName: 'Event',
				name: 'event',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'New Post', value: 'newPost', description: 'A post, reel or carousel published on the account' },
					{
						name: 'New Comment',
						value: 'newComment',
						description: "A comment (or a reply to one) on one of the account's recent posts",
					},
				],
				default: 'newPost',
			},
			{
				displayName: 'Posts to Watch',
				name: 'postsToWatch',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 50 },
				default: 10,
				displayOptions: { show: { event: ['newComment'] } },
				description: 'How many of the newest posts to check for comments on each poll',
			},
			{
				displayName: 'Include Replies',
				name: 'includeReplies',
				type: 'boolean',
				default: true,
				displayOptions: { show: { event: ['newComment'] } },
				description:
					"Whether replies to comments start the workflow too (each once, with parent_id set to the comment it answers; the account's own replies never do)",
			},
			{
				displayName: 'Keywords',
				name: 'keywords',
				type: 'string',
				default: '',
				placeholder: 'price, link, interested',
				displayOptions: { show: { event: ['newComment'] } },
				description:
					'Comma-separated; only comments containing one of them (any case) start the workflow. Empty: every comment.',
			},
			{
				displayName: 'Backfill From',
				name: 'backfillFrom',
				type: 'dateTime',
				default: '',
				description:
					'On the first poll after activation, also emit items published after this date. Empty: start from now, so activation never replays old posts or comments.',
			},
			rateLimitOptions,
		],
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		beginRun(this);
		const event = this.getNodeParameter('event', 'newPost') as string;
		const manual = this.getMode() === 'manual';
		const started = Date.now();
		const budgetMs = typeof this.getPollBudgetMs === 'function' ? this.getPollBudgetMs() : 60_000;
		const withinBudget = () => Date.now() - started < budgetMs * 0.7;

		const items =
			event === 'newComment'
				? await fetchComments(this, manual, withinBudget)
				: await fetchPosts(this, manual, withinBudget);

		if (manual) {
			// Testing in the editor: show the newest item, remember nothing.
			const newest = [...items].sort((a, b) => parseTimestamp(b.timestamp) - parseTimestamp(a.timestamp))[0];
			if (!newest)
				throw new NodeOperationError(
					this.getNode(),
					event === 'newComment' ? 'No comments on the watched posts yet' : 'The account has no posts yet',
				);
			return [[{ json: newest }]];
		}

		const staticData = this.getWorkflowStaticData('node');
		const key = event === 'newComment' ? 'comments' : 'posts';
		const stored = staticData[key];
		let result: { fresh: IDataObject[]; next: SeenState };
		if (isSeenState(stored)) {
			result = selectNew(stored, items as Array<IDataObject & { id: string; timestamp?: string }>);
		} else {
			// First poll (n8n runs one at activation). Note: with n8n's opt-in durable poll cursors,
			// n8n does not commit the state of that activation poll when it emits nothing, so "now"
			// becomes the first scheduled poll; classic mode keeps it (see test/e2e/instagram-trigger).
			const backfill = this.getNodeParameter('backfillFrom', '') as string;
			const backfillMs = backfill ? Date.parse(backfill) : undefined;
			result = firstPoll(Date.now(), items as Array<IDataObject & { id: string; timestamp?: string }>, backfillMs);
		}
		staticData[key] = result.next as unknown as IDataObject;

		let fresh = result.fresh;
		if (event === 'newComment')
			fresh = matchKeywords(fresh as Comment[], splitList(this.getNodeParameter('keywords', '') as string));
		if (!fresh.length) return null;
		return [fresh.map((json) => ({ json }))];
	}
}

async function fetchPosts(context: IPollFunctions, manual: boolean, withinBudget: () => boolean): Promise<Post[]> {
	const credentials = await getInstagramCredentials.call(context);
	const stored = context.getWorkflowStaticData('node').posts;
	// How far back to page: to the look-back of what we have seen; on the first poll only the first
	// page (to record what is there) unless a backfill reaches further.
	const backfill = context.getNodeParameter('backfillFrom', '') as string;
	const cutoff = isSeenState(stored)
		? Math.max(stored.startedAt, stored.highWater - DEFAULT_LOOKBACK_MS)
		: backfill && !Number.isNaN(Date.parse(backfill))
			? Date.parse(backfill)
			: Infinity;
	// Newest first: stop once a page reaches what we have already seen (or on the first poll).
	const untilSeen: CursorAdapter<GraphPage<Post>, Post> = {
		items: (page) => page.data ?? [],
		next: (page) => {
			const oldest = Math.min(
				...(page.data ?? []).map((post) => parseTimestamp(post.timestamp)).filter((ts) => !Number.isNaN(ts)),
			);
			return manual || !(oldest > cutoff) || !withinBudget() ? undefined : nextGraphCursor(page);
		},
	};
	const path = `/${credentials.accountId}/media`;
	return await collectPages(
		async (after, limit) =>
			(await graphRequest.call(context, {
				method: 'GET',
				path,
				qs: { fields: POST_FIELDS, limit, ...(after ? { after } : {}) },
			})) as GraphPage<Post>,
		untilSeen,
		{ pageSize: manual ? 5 : 25, maxPages: MAX_POST_PAGES },
	);
}

async function fetchComments(
	context: IPollFunctions,
	manual: boolean,
	withinBudget: () => boolean,
): Promise<Comment[]> {
	const credentials = await getInstagramCredentials.call(context);
	const postsToWatch = Math.min(50, Math.max(1, Number(context.getNodeParameter('postsToWatch', 10)) || 10));
	const recent = (await graphRequest.call(context, {
		method: 'GET',
		path: `/${credentials.accountId}/media`,
		qs: { fields: 'id,caption,permalink,timestamp', limit: manual ? 3 : postsToWatch },
	})) as GraphPage<Post>;
	const firstPageOnly: CursorAdapter<GraphPage<Comment>, Comment> = {
		items: (page) => page.data ?? [],
		next: (page) => (manual ? undefined : nextGraphCursor(page)),
	};
	const includeReplies = context.getNodeParameter('includeReplies', true) !== false;
	const comments: Comment[] = [];
	for (const post of recent.data ?? []) {
		if (!withinBudget()) break;
		const fields = includeReplies ? COMMENT_WITH_REPLIES_FIELDS : COMMENT_FIELDS;
		const onPost = await collectPages(
			async (after, limit) =>
				(await graphRequest.call(context, {
					method: 'GET',
					path: `/${post.id}/comments`,
					qs: { fields, limit, ...(after ? { after } : {}) },
				})) as GraphPage<Comment>,
			firstPageOnly,
			{ pageSize: 50, maxPages: MAX_COMMENT_PAGES },
		);
		const withReplies = includeReplies ? await flattenReplies(context, onPost, manual, credentials.accountId) : onPost;
		for (const comment of withReplies)
			comments.push({
				...comment,
				media_id: post.id,
				media_permalink: post.permalink ?? null,
				media_caption: post.caption ?? null,
			});
	}
	return comments;
}

/**
 * Comments and their replies as one list: each reply an item of its own with `parent_id` (the
 * comment it answers) and `is_reply: true`. Replies beyond the expanded first page are read from
 * the comment's /replies edge. The account's own replies are left out: a workflow that answers
 * comments must not start itself again with its own answer.
 */
async function flattenReplies(
	context: IPollFunctions,
	comments: Comment[],
	manual: boolean,
	accountId: string,
): Promise<Comment[]> {
	const out: Comment[] = [];
	for (const { replies, ...comment } of comments) {
		out.push({ ...comment, parent_id: comment.parent_id ?? null, is_reply: false } as Comment);
		let page: GraphPage<Comment> | undefined = replies;
		for (let pages = 0; page && pages < MAX_COMMENT_PAGES; pages++) {
			for (const reply of page.data ?? []) {
				if ((reply.from as IDataObject | undefined)?.id === accountId) continue;
				out.push({ ...reply, parent_id: reply.parent_id ?? comment.id, is_reply: true });
			}
			const after = manual ? undefined : nextGraphCursor(page);
			page = after
				? ((await graphRequest.call(context, {
						method: 'GET',
						path: `/${comment.id}/replies`,
						qs: { fields: REPLY_FIELDS, limit: 50, after },
					})) as GraphPage<Comment>)
				: undefined;
		}
	}
	return out;
}
