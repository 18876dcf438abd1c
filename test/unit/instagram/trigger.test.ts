// Instagram Trigger (polling) against the Graph API stand-in: no flood on first activation, each
// new post/comment once and in order, nothing repeated across polls or restarts.
import type { IDataObject } from 'n8n-workflow';
import { igTimestamp, type GraphStandIn, type InstagramState } from '../../../sandbox';
import { credentialsFor, pollTrigger, restart, startStandIn } from './harness';

const HOUR = 3600_000;

describe('Instagram Trigger', () => {
	let graph: GraphStandIn;
	let ig: InstagramState;
	beforeEach(async () => ({ graph, ig } = await startStandIn()));
	afterEach(() => graph.close());

	const seedOldPosts = (n: number) => {
		for (let i = 0; i < n; i++)
			ig.addMedia({ caption: `old ${i}`, timestamp: igTimestamp(Date.now() - (n - i) * HOUR) });
	};

	it('does not flood old posts on first activation, then emits each new post once, oldest first', async () => {
		seedOldPosts(40);
		const staticData: IDataObject = {};
		const params = { event: 'newPost' };
		const first = await pollTrigger(credentialsFor(graph), params, staticData);
		expect(first.result).toBeNull();

		const a = ig.addMedia({ caption: 'Launch day', timestamp: igTimestamp(Date.now() + 1000) });
		const b = ig.addMedia({ caption: 'Second drop', timestamp: igTimestamp(Date.now() + 2000) });
		const second = await pollTrigger(credentialsFor(graph), params, staticData);
		expect(second.emitted.map((p) => p.id)).toEqual([a.id, b.id]);
		expect(second.emitted[0]).toMatchObject({
			caption: 'Launch day',
			permalink: a.permalink,
			media_url: a.media_url,
			media_type: 'IMAGE',
			timestamp: a.timestamp,
		});

		const third = await pollTrigger(credentialsFor(graph), params, staticData);
		expect(third.result).toBeNull();
	});

	it('survives a restart: the stored state (as n8n persists it) prevents repeats, and posts made while down come once', async () => {
		seedOldPosts(3);
		let staticData: IDataObject = {};
		await pollTrigger(credentialsFor(graph), { event: 'newPost' }, staticData);
		const before = ig.addMedia({ caption: 'before restart', timestamp: igTimestamp(Date.now() + 1000) });
		expect(
			(await pollTrigger(credentialsFor(graph), { event: 'newPost' }, staticData)).emitted.map((p) => p.id),
		).toEqual([before.id]);

		staticData = restart(staticData);
		const during = ig.addMedia({ caption: 'while n8n was down', timestamp: igTimestamp(Date.now() + 2000) });
		const after = await pollTrigger(credentialsFor(graph), { event: 'newPost' }, staticData);
		expect(after.emitted.map((p) => p.id)).toEqual([during.id]);
		staticData = restart(staticData);
		expect((await pollTrigger(credentialsFor(graph), { event: 'newPost' }, staticData)).result).toBeNull();
	});

	it('follows cursors when more new posts arrived than one page holds, without repeats', async () => {
		seedOldPosts(5);
		const staticData: IDataObject = {};
		await pollTrigger(credentialsFor(graph), { event: 'newPost' }, staticData);
		const fresh = Array.from({ length: 60 }, (_, i) =>
			ig.addMedia({ caption: `burst ${i}`, timestamp: igTimestamp(Date.now() + (i + 1) * 1000) }),
		);
		const run = await pollTrigger(credentialsFor(graph), { event: 'newPost' }, staticData);
		expect(run.emitted.map((p) => p.id)).toEqual(fresh.map((p) => p.id));
		expect((await pollTrigger(credentialsFor(graph), { event: 'newPost' }, staticData)).result).toBeNull();
	});

	it('backfills from a chosen date on first activation only', async () => {
		seedOldPosts(10);
		const staticData: IDataObject = {};
		const since = new Date(Date.now() - 3.5 * HOUR).toISOString();
		const first = await pollTrigger(credentialsFor(graph), { event: 'newPost', backfillFrom: since }, staticData);
		expect(first.emitted.map((p) => p.caption)).toEqual(['old 7', 'old 8', 'old 9']);
		expect(
			(await pollTrigger(credentialsFor(graph), { event: 'newPost', backfillFrom: since }, staticData)).result,
		).toBeNull();
	});

	it('backfills across pages when the backfill date reaches further back than one page', async () => {
		seedOldPosts(60);
		const staticData: IDataObject = {};
		const since = new Date(Date.now() - 40.5 * HOUR).toISOString();
		const first = await pollTrigger(credentialsFor(graph), { event: 'newPost', backfillFrom: since }, staticData);
		expect(first.emitted).toHaveLength(40);
		expect(first.emitted[0].caption).toBe('old 20');
		expect(first.emitted[39].caption).toBe('old 59');
	});

	it('emits new comments on recent posts, only those with a keyword, each once, with the post they belong to', async () => {
		const post = ig.addMedia({ caption: 'Cardamom chai', timestamp: igTimestamp(Date.now() - HOUR) });
		ig.addComment(post.id, { text: 'old price question', timestamp: igTimestamp(Date.now() - 30 * 60_000) });
		const staticData: IDataObject = {};
		const params = { event: 'newComment', keywords: 'price, link' };
		expect((await pollTrigger(credentialsFor(graph), params, staticData)).result).toBeNull();

		const noise = ig.addComment(post.id, { text: 'yum', timestamp: igTimestamp(Date.now() + 1000) });
		const lead = ig.addComment(post.id, {
			text: 'What is the PRICE?',
			username: 'ravi',
			timestamp: igTimestamp(Date.now() + 2000),
		});
		const run = await pollTrigger(credentialsFor(graph), params, staticData);
		expect(run.emitted).toEqual([
			expect.objectContaining({
				id: lead.id,
				text: 'What is the PRICE?',
				username: 'ravi',
				matched_keyword: 'price',
				media_id: post.id,
				media_permalink: post.permalink,
				media_caption: 'Cardamom chai',
			}),
		]);
		expect(run.emitted[0].from).toEqual({ id: lead.from.id, username: 'ravi' });
		// The filtered-out comment is remembered too: changing nothing, the next poll emits nothing.
		expect((await pollTrigger(credentialsFor(graph), params, restart(staticData))).result).toBeNull();
		expect(ig.comments.map((c) => c.id)).toContain(noise.id);
	});

	it("a throttled poll fails with Meta's reason, and the next poll asks Meta again instead of staying stopped", async () => {
		seedOldPosts(2);
		const staticData: IDataObject = {};
		await pollTrigger(credentialsFor(graph), { event: 'newPost' }, staticData);
		ig.usage.throttleMinutes = 12;
		const throttled = await pollTrigger(credentialsFor(graph), { event: 'newPost' }, staticData).catch((e) => e);
		expect(throttled.message).toContain('Instagram error 80002');
		expect(throttled.description).toContain('access returns in about 12 min');
		ig.usage.throttleMinutes = undefined;
		const post = ig.addMedia({ caption: 'after the throttle', timestamp: igTimestamp(Date.now() + 1000) });
		expect(
			(await pollTrigger(credentialsFor(graph), { event: 'newPost' }, staticData)).emitted.map((p) => p.id),
		).toEqual([post.id]);
	});

	it('in manual mode (testing in the editor) shows the newest post without touching the stored state', async () => {
		seedOldPosts(3);
		const staticData: IDataObject = {};
		const run = await pollTrigger(credentialsFor(graph), { event: 'newPost' }, staticData, { mode: 'manual' });
		expect(run.emitted.map((p) => p.caption)).toEqual(['old 2']);
		expect(staticData).toEqual({});
	});
});
