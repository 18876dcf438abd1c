// Comment and Message operations through Instagram.execute() against the Graph API stand-in.
import type { IDataObject } from 'n8n-workflow';
import { IG_ACCOUNT_ID, IG_PAGE_ID, igTimestamp, type GraphStandIn, type InstagramState } from '../../../sandbox';
import { credentialsFor, requestsTo, runInstagram, startStandIn } from './harness';

const DAY = 24 * 3600 * 1000;

describe('Instagram node: comments and messages', () => {
	let graph: GraphStandIn;
	let ig: InstagramState;
	beforeEach(async () => ({ graph, ig } = await startStandIn()));
	afterEach(() => graph.close());

	const media = (id: string) => ({ __rl: true, mode: 'id', value: id });

	it('gets the comments of a post (newest first, chosen fields) and the replies to a comment', async () => {
		const post = ig.addMedia({ caption: 'Masala chai' });
		const older = ig.addComment(post.id, {
			text: 'Love it',
			username: 'asha',
			timestamp: igTimestamp(Date.now() - 3600_000),
		});
		const newer = ig.addComment(post.id, { text: 'Price?', username: 'ravi' });
		ig.addComment(post.id, { text: 'Rs 120', parent_id: newer.id, username: 'chai_point_demo' });
		const comments = await runInstagram(credentialsFor(graph), {
			resource: 'comment',
			operation: 'getMany',
			mediaId: media(post.id),
			returnAll: true,
		});
		expect(comments.json.map((c) => [c.id, c.text, c.username, c.media_id])).toEqual([
			[newer.id, 'Price?', 'ravi', post.id],
			[older.id, 'Love it', 'asha', post.id],
		]);
		expect(comments.json[0].from).toEqual({ id: expect.any(String), username: 'ravi' });
		const replies = await runInstagram(credentialsFor(graph), {
			resource: 'comment',
			operation: 'getReplies',
			commentId: newer.id,
			returnAll: true,
		});
		expect(replies.json).toEqual([expect.objectContaining({ text: 'Rs 120', parent_comment_id: newer.id })]);
	});

	it('replies publicly with POST /{comment}/replies?message=', async () => {
		const post = ig.addMedia({});
		const question = ig.addComment(post.id, { text: 'Do you deliver to Pune?' });
		const { json } = await runInstagram(credentialsFor(graph), {
			resource: 'comment',
			operation: 'reply',
			commentId: question.id,
			message: 'Yes! Order on our site.',
		});
		expect(json[0]).toEqual({ id: expect.any(String), replied_to: question.id });
		const [request] = requestsTo(graph, 'instagram.comment.reply');
		expect(request.method).toBe('POST');
		expect(request.query.message).toBe('Yes! Order on our site.');
		expect(ig.comments.find((c) => c.id === json[0].id)).toMatchObject({
			parent_id: question.id,
			text: 'Yes! Order on our site.',
		});
	});

	it('hides, unhides and deletes a comment', async () => {
		const post = ig.addMedia({});
		const spam = ig.addComment(post.id, { text: 'cheap followers here' });
		await runInstagram(credentialsFor(graph), {
			resource: 'comment',
			operation: 'hide',
			commentId: spam.id,
			hide: true,
		});
		expect(ig.comments.find((c) => c.id === spam.id)?.hidden).toBe(true);
		expect(requestsTo(graph, 'instagram.comment.hide')[0].query.hide).toBe('true');
		await runInstagram(credentialsFor(graph), {
			resource: 'comment',
			operation: 'hide',
			commentId: spam.id,
			hide: false,
		});
		expect(ig.comments.find((c) => c.id === spam.id)?.hidden).toBe(false);
		const deleted = await runInstagram(credentialsFor(graph), {
			resource: 'comment',
			operation: 'delete',
			commentId: spam.id,
		});
		expect(deleted.json[0]).toMatchObject({ success: true, id: spam.id, deleted: true });
		expect(ig.comments.find((c) => c.id === spam.id)).toBeUndefined();
		expect(ig.media[0].comments_count).toBe(0);
	});

	it('sends a private reply as {recipient: {comment_id}, message: {text}} to the Page (Facebook Login) or the account (Instagram Login)', async () => {
		const post = ig.addMedia({});
		const first = ig.addComment(post.id, { text: 'link please', from: { id: '6180000000000001', username: 'meera' } });
		const second = ig.addComment(post.id, { text: 'me too' });
		const fb = await runInstagram(credentialsFor(graph), {
			resource: 'message',
			operation: 'privateReply',
			commentId: first.id,
			text: 'Here it is: https://chai.example.com',
		});
		expect(fb.json[0]).toEqual({
			recipient_id: '6180000000000001',
			message_id: expect.any(String),
			comment_id: first.id,
		});
		await runInstagram(credentialsFor(graph, { loginType: 'instagram' }), {
			resource: 'message',
			operation: 'privateReply',
			commentId: second.id,
			text: 'Sent you the link',
		});
		const requests = requestsTo(graph, 'instagram.messages');
		expect(requests.map((r) => r.path)).toEqual([
			`/graph.facebook.com/v24.0/${IG_PAGE_ID}/messages`,
			`/graph.instagram.com/v24.0/${IG_ACCOUNT_ID}/messages`,
		]);
		expect(requests[0].body).toEqual({
			recipient: { comment_id: first.id },
			message: { text: 'Here it is: https://chai.example.com' },
		});
		expect(ig.messages).toHaveLength(2);
	});

	it('refuses a second private reply to the same comment, and one to a comment older than 7 days, with the rule in the error', async () => {
		const post = ig.addMedia({});
		const recent = ig.addComment(post.id, { text: 'price?' });
		const stale = ig.addComment(post.id, { text: 'price?', timestamp: igTimestamp(Date.now() - 8 * DAY) });
		await runInstagram(credentialsFor(graph), {
			resource: 'message',
			operation: 'privateReply',
			commentId: recent.id,
			text: 'Rs 120',
		});
		for (const commentId of [recent.id, stale.id]) {
			const error = await runInstagram(credentialsFor(graph), {
				resource: 'message',
				operation: 'privateReply',
				commentId,
				text: 'again',
			}).catch((e) => e);
			expect(error.message).toBe(
				'Instagram error 10 (subcode 2534022): this comment cannot get a private reply — Instagram allows one private reply per comment, within 7 days of the comment; this one was already answered privately or is too old',
			);
			expect(error.description).toMatch(/fbtrace_id \w+/);
		}
		expect(ig.messages).toHaveLength(1);
	});

	it('under "continue on fail" a refused private reply becomes an error item and the other items go on', async () => {
		const post = ig.addMedia({});
		const a = ig.addComment(post.id, { text: 'a', timestamp: igTimestamp(Date.now() - 8 * DAY) });
		const b = ig.addComment(post.id, { text: 'b' });
		const { items } = await runInstagram(
			credentialsFor(graph),
			{ resource: 'message', operation: 'privateReply', commentId: (i: number) => [a.id, b.id][i], text: 'hello' },
			{ items: [{}, {}], continueOnFail: true },
		);
		const error = items[0].json.error as IDataObject;
		expect(items[0].pairedItem).toEqual({ item: 0 });
		expect(error).toMatchObject({
			message: expect.stringContaining('Instagram error 10'),
			code: 10,
			subcode: 2534022,
			http_status: 403,
			fbtrace_id: expect.stringMatching(/^\w+$/),
		});
		expect(error.description).toContain(`fbtrace_id ${error.fbtrace_id}`);
		expect(items[1]).toMatchObject({
			pairedItem: { item: 1 },
			json: { comment_id: b.id, message_id: expect.any(String) },
		});
	});

	it('sends a text DM to someone who wrote within 24 h, and explains the window otherwise', async () => {
		ig.conversations.set('6180000000000009', Date.now() - 3600_000);
		ig.conversations.set('6180000000000010', Date.now() - 2 * DAY);
		const ok = await runInstagram(credentialsFor(graph), {
			resource: 'message',
			operation: 'sendText',
			recipientId: '6180000000000009',
			text: 'Your order shipped',
		});
		expect(ok.json[0]).toMatchObject({ recipient_id: '6180000000000009' });
		expect(requestsTo(graph, 'instagram.messages')[0].body).toEqual({
			recipient: { id: '6180000000000009' },
			message: { text: 'Your order shipped' },
		});
		const late = await runInstagram(credentialsFor(graph), {
			resource: 'message',
			operation: 'sendText',
			recipientId: '6180000000000010',
			text: 'hi',
		}).catch((e) => e);
		expect(late.message).toContain('Instagram error 10 (subcode 2534022): outside the allowed messaging window');
	});
});
