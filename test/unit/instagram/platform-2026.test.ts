// What Meta added to the Instagram Platform in 2025–2026, against the Graph API stand-in: trial
// reels, collaborators and collaboration invites, metrics since v22, and the supported versions.
import type { IDataObject } from 'n8n-workflow';
import { InstagramApi } from '../../../credentials/InstagramApi.credentials';
import { DEFAULT_GRAPH_VERSION } from '../../../nodes/shared/graph';
import { IG_GRAPH_VERSIONS, igTimestamp, type GraphStandIn, type InstagramState } from '../../../sandbox';
import { credentialsFor, pollTrigger, requestsTo, restart, runInstagram, startStandIn } from './harness';

const fast = { firstCheckDelaySeconds: 0.01, maxWaitSeconds: 5 };
const reel = (extra: Record<string, unknown>) => ({
	resource: 'publish',
	operation: 'reel',
	videoUrl: 'https://cdn.example.com/trial.mp4',
	caption: 'Trying a new format',
	publishOptions: fast,
	...extra,
});
const rl = (value: string) => ({ __rl: true, mode: 'id', value });

describe('Instagram in 2026: trial reels and collaborators', () => {
	let graph: GraphStandIn;
	let ig: InstagramState;
	beforeEach(async () => ({ graph, ig } = await startStandIn()));
	afterEach(() => graph.close());

	it('publishes a trial reel with two collaborators; the post reads back with both invited (Pending)', async () => {
		const { json } = await runInstagram(
			credentialsFor(graph),
			reel({ trialReel: 'SS_PERFORMANCE', collaborators: '@mumbai.eats, chai_lovers' }),
		);
		expect(requestsTo(graph, 'instagram.container.create')[0].query).toMatchObject({
			media_type: 'REELS',
			trial_params: JSON.stringify({ graduation_strategy: 'SS_PERFORMANCE' }),
			collaborators: JSON.stringify(['mumbai.eats', 'chai_lovers']),
		});
		expect(json[0]).toMatchObject({
			media_product_type: 'REELS',
			trial_params: { graduation_strategy: 'SS_PERFORMANCE' },
			collaborators_invited: ['mumbai.eats', 'chai_lovers'],
		});
		expect(ig.media[0].trialParams).toEqual({ graduation_strategy: 'SS_PERFORMANCE' });

		const back = await runInstagram(credentialsFor(graph), {
			resource: 'media',
			operation: 'getCollaborators',
			mediaId: rl(String(json[0].id)),
		});
		expect(back.json.map((c) => [c.username, c.invite_status, c.media_id])).toEqual([
			['mumbai.eats', 'Pending', json[0].id],
			['chai_lovers', 'Pending', json[0].id],
		]);
	});

	it('a regular reel sends no trial_params', async () => {
		await runInstagram(credentialsFor(graph), reel({}));
		expect(requestsTo(graph, 'instagram.container.create')[0].query).not.toHaveProperty('trial_params');
		expect(ig.media[0].trialParams).toBeUndefined();
	});

	it("an account Meta does not offer trial reels to: Meta's refusal (code 10) with the fix, nothing published", async () => {
		ig.trialReelsEligible = false;
		const error = await runInstagram(credentialsFor(graph), reel({ trialReel: 'MANUAL' })).catch((e) => e);
		expect(error.message).toMatch(/^Instagram error 10: this account may not publish this \(e\.g\. trial reels/);
		expect(error.message).toContain('Trial Reel: No');
		expect(error.description).toContain('not eligible to publish trial reels');
		expect(error.description).toMatch(/fbtrace_id [A-Za-z0-9]+/);
		expect(ig.published).toHaveLength(0);
		expect(requestsTo(graph, 'instagram.media.publish')).toHaveLength(0);
	});

	it('more than 5 collaborators: a clear error before anything is sent to Meta', async () => {
		const error = await runInstagram(credentialsFor(graph), {
			resource: 'publish',
			operation: 'image',
			imageUrl: 'https://cdn.example.com/a.jpg',
			collaborators: 'a1, a2, a3, a4, a5, a6',
			publishOptions: fast,
		}).catch((e) => e);
		expect(error.message).toBe(
			'Collaborators: 6 usernames given; Instagram allows at most 5 per post. Nothing was published.',
		);
		expect(graph.requests).toHaveLength(0);
	});

	it('a collaborator that is not a username: refused before sending, naming it', async () => {
		const error = await runInstagram(
			credentialsFor(graph),
			reel({ collaborators: 'https://instagram.com/someone' }),
		).catch((e) => e);
		expect(error.message).toBe(
			'Collaborators: "https://instagram.com/someone" is not an Instagram username. Nothing was published.',
		);
		expect(graph.requests).toHaveLength(0);
	});

	it('a carousel carries its collaborators on the carousel container only, not on its items', async () => {
		const { json } = await runInstagram(credentialsFor(graph), {
			resource: 'publish',
			operation: 'carousel',
			carouselItems: {
				item: [
					{ type: 'image', url: 'https://cdn.example.com/1.jpg' },
					{ type: 'image', url: 'https://cdn.example.com/2.jpg' },
				],
			},
			collaborators: 'chai_lovers',
			publishOptions: fast,
		});
		const creates = requestsTo(graph, 'instagram.container.create').map((r) => r.query);
		expect(creates.slice(0, 2).every((q) => q.collaborators === undefined)).toBe(true);
		expect(creates[2]).toMatchObject({ media_type: 'CAROUSEL', collaborators: '["chai_lovers"]' });
		expect(json[0].collaborators_invited).toEqual(['chai_lovers']);
		expect(ig.media.find((m) => m.id === json[0].id)?.collaborators?.map((c) => c.username)).toEqual(['chai_lovers']);
	});

	it('the stand-in refuses what Meta refuses: collaborators on a story, 6 collaborators, trial_params on an image', async () => {
		const call = async (query: string) => {
			const res = await fetch(`${graph.url}/graph.facebook.com/v26.0/${ig.accountId}/media?${query}`, {
				method: 'POST',
				headers: { authorization: 'Bearer ig-test-token' },
			});
			return ((await res.json()) as { error: { code: number; message: string } }).error;
		};
		expect(
			await call(
				`media_type=STORIES&image_url=https://cdn.example.com/s.jpg&collaborators=${encodeURIComponent('["a"]')}`,
			),
		).toMatchObject({ code: 100, message: expect.stringContaining('not on stories') });
		expect(
			await call(
				`image_url=https://cdn.example.com/s.jpg&collaborators=${encodeURIComponent(JSON.stringify(['a', 'b', 'c', 'd', 'e', 'f']))}`,
			),
		).toMatchObject({ code: 100, message: expect.stringContaining('at most 5') });
		expect(
			await call(
				`image_url=https://cdn.example.com/s.jpg&trial_params=${encodeURIComponent('{"graduation_strategy":"MANUAL"}')}`,
			),
		).toMatchObject({ code: 100, message: expect.stringContaining('only supported for media_type REELS') });
		expect(
			await call(
				`media_type=REELS&video_url=https://cdn.example.com/v.mp4&trial_params=${encodeURIComponent('{"graduation_strategy":"SOMETIMES"}')}`,
			),
		).toMatchObject({ code: 100, message: expect.stringContaining('MANUAL, SS_PERFORMANCE') });
	});
});

describe('Instagram in 2026: collaboration invites', () => {
	let graph: GraphStandIn;
	let ig: InstagramState;
	beforeEach(async () => ({ graph, ig } = await startStandIn()));
	afterEach(() => graph.close());

	it('lists pending invites, accepts one and declines another; both leave the list', async () => {
		const a = ig.addCollaborationInvite({ media_owner_username: 'katrina', caption: 'Making memories' });
		const b = ig.addCollaborationInvite({ media_owner_username: 'john', caption: 'Good vibes' });
		const list = await runInstagram(credentialsFor(graph), {
			resource: 'collaboration',
			operation: 'getInvites',
			returnAll: true,
		});
		expect(list.json).toEqual([
			{ media_id: a.media_id, media_owner_username: 'katrina', caption: 'Making memories', media_url: a.media_url },
			{ media_id: b.media_id, media_owner_username: 'john', caption: 'Good vibes', media_url: b.media_url },
		]);

		const accepted = await runInstagram(credentialsFor(graph), {
			resource: 'collaboration',
			operation: 'accept',
			inviteMediaId: a.media_id,
		});
		expect(accepted.json[0]).toEqual({ media_id: a.media_id, accepted: true, success: true });
		const declined = await runInstagram(credentialsFor(graph), {
			resource: 'collaboration',
			operation: 'decline',
			inviteMediaId: b.media_id,
		});
		expect(declined.json[0]).toEqual({ media_id: b.media_id, accepted: false, success: true });
		expect(requestsTo(graph, 'instagram.user.collaborationInvites.answer').map((r) => r.query)).toEqual([
			{ media_id: a.media_id, accept: 'true' },
			{ media_id: b.media_id, accept: 'false' },
		]);
		expect(ig.collaborationInvites.map((i) => i.status)).toEqual(['accepted', 'declined']);
		expect(
			(
				await runInstagram(credentialsFor(graph), {
					resource: 'collaboration',
					operation: 'getInvites',
					returnAll: true,
				})
			).json,
		).toEqual([]);
	});

	it("answering an invite that is no longer pending surfaces Meta's error", async () => {
		const a = ig.addCollaborationInvite({ media_owner_username: 'katrina', status: 'accepted' });
		const error = await runInstagram(credentialsFor(graph), {
			resource: 'collaboration',
			operation: 'decline',
			inviteMediaId: a.media_id,
		}).catch((e) => e);
		expect(error.message).toMatch(/^Instagram error 100/);
		expect(error.description).toContain(`no pending collaboration invite for media ${a.media_id}`);
	});

	it('Instagram Login has no collaboration endpoints: refused with the reason, without calling Meta', async () => {
		const error = await runInstagram(credentialsFor(graph, { loginType: 'instagram' }), {
			resource: 'collaboration',
			operation: 'getInvites',
			returnAll: true,
		}).catch((e) => e);
		expect(error.message).toContain('Collaboration needs Facebook Login');
		expect(graph.requests).toHaveLength(0);
	});
});

describe('Instagram in 2026: metrics since v22', () => {
	let graph: GraphStandIn;
	let ig: InstagramState;
	beforeEach(async () => ({ graph, ig } = await startStandIn()));
	afterEach(() => graph.close());

	const insights = (
		mediaId: string,
		type: string,
		field: string,
		metrics: string[],
		loginType: 'facebook' | 'instagram' = 'facebook',
	) =>
		runInstagram(credentialsFor(graph, { loginType }), {
			resource: 'media',
			operation: 'getInsights',
			mediaId: rl(mediaId),
			insightsMediaType: type,
			[field]: metrics,
		});

	it('reels: reels_skip_rate, reposts and crossposted_views', async () => {
		const r = ig.addMedia({
			media_type: 'VIDEO',
			media_product_type: 'REELS',
			insights: { reels_skip_rate: 31.5, reposts: 4, crossposted_views: 900, views: 700 },
		});
		const { json } = await insights(r.id, 'REELS', 'reelMetrics', [
			'reels_skip_rate',
			'reposts',
			'crossposted_views',
			'views',
		]);
		expect(json.map((row) => [row.metric, row.value])).toEqual([
			['reels_skip_rate', 31.5],
			['reposts', 4],
			['crossposted_views', 900],
			['views', 700],
		]);
	});

	it('stories: reposts alongside the story metrics', async () => {
		const s = ig.addMedia({ media_product_type: 'STORY', insights: { reposts: 2, navigation: 40 } });
		const { json } = await insights(s.id, 'STORY', 'storyMetrics', ['reposts', 'navigation']);
		expect(json.map((row) => [row.metric, row.value])).toEqual([
			['reposts', 2],
			['navigation', 40],
		]);
	});

	it("a reel metric on a feed post: Meta's error, with its code", async () => {
		const post = ig.addMedia({ caption: 'feed' });
		const error = await insights(post.id, 'FEED', 'mediaMetrics', ['reels_skip_rate']).catch((e) => e);
		expect(error.message).toMatch(/^Instagram error 100: invalid parameter/);
		expect(error.description).toContain('does not support the reels_skip_rate metric for this media product type');
	});

	it("reposts with Instagram Login: Meta's error (a Facebook Login metric)", async () => {
		const r = ig.addMedia({ media_type: 'VIDEO', media_product_type: 'REELS', insights: { reposts: 4 } });
		const error = await insights(r.id, 'REELS', 'reelMetrics', ['reposts'], 'instagram').catch((e) => e);
		expect(error.message).toMatch(/^Instagram error 100/);
		expect(error.description).toContain('metric[0] must be one of the following values');
		expect(error.description).not.toMatch(/values:.*\breposts\b/);
	});

	it('the editor offers each post type only its metrics', () => {
		const props = new (require('../../../nodes/Instagram/Instagram.node').Instagram)().description.properties as Array<{
			name: string;
			options?: Array<{ value: string }>;
		}>;
		const values = (name: string) => props.find((p) => p.name === name)!.options!.map((o) => o.value);
		expect(values('mediaMetrics')).not.toContain('reels_skip_rate');
		expect(values('reelMetrics')).toEqual(
			expect.arrayContaining(['reels_skip_rate', 'crossposted_views', 'facebook_views', 'reposts']),
		);
		expect(values('storyMetrics')).toEqual(expect.arrayContaining(['navigation', 'replies', 'reposts']));
		expect(values('storyMetrics')).not.toContain('reels_skip_rate');
		expect(values('accountMetrics')).toContain('reposts');
	});

	it('account reposts (total_value)', async () => {
		const { json } = await runInstagram(credentialsFor(graph), {
			resource: 'account',
			operation: 'getInsights',
			accountMetrics: ['reposts'],
			period: 'day',
			metricType: 'total_value',
		});
		expect(json[0]).toMatchObject({ metric: 'reposts', available: true, value: 9 });
	});
});

describe('Instagram credential: Graph API versions', () => {
	it('lists v22–v26 and defaults to the newest version the stand-in models', () => {
		const field = new InstagramApi().properties.find((p) => p.name === 'apiVersion')!;
		expect(field.type).toBe('options');
		expect((field.options as Array<{ value: string }>).map((o) => o.value).sort()).toEqual(
			[...IG_GRAPH_VERSIONS].sort(),
		);
		expect(field.default).toBe(IG_GRAPH_VERSIONS[IG_GRAPH_VERSIONS.length - 1]);
		expect(field.default).toBe(DEFAULT_GRAPH_VERSION);
	});

	it('calls go to the chosen version; a retired version is answered as the oldest available', async () => {
		const { graph } = await startStandIn();
		try {
			await runInstagram(credentialsFor(graph, { apiVersion: DEFAULT_GRAPH_VERSION }), {
				resource: 'account',
				operation: 'getProfile',
			});
			expect(graph.requests[0].path).toMatch(/^\/graph\.facebook\.com\/v26\.0\//);
			const res = await fetch(`${graph.url}/graph.facebook.com/v19.0/me?fields=id`, {
				headers: { authorization: 'Bearer ig-test-token' },
			});
			expect(res.headers.get('facebook-api-version')).toBe('v22.0');
		} finally {
			await graph.close();
		}
	});
});

describe('Instagram Trigger in 2026: replies are new comments too', () => {
	let graph: GraphStandIn;
	let ig: InstagramState;
	beforeEach(async () => ({ graph, ig } = await startStandIn()));
	afterEach(() => graph.close());

	const at = (offsetMs: number) => igTimestamp(Date.now() + offsetMs);

	it("emits each new reply once, with the parent comment id, across polls and a restart; the account's own replies never", async () => {
		const post = ig.addMedia({ caption: 'Diwali hamper', timestamp: at(-3600_000) });
		const comment = ig.addComment(post.id, { text: 'price?', username: 'ravi', timestamp: at(-1800_000) });
		let staticData: IDataObject = {};
		const params = { event: 'newComment' };
		expect((await pollTrigger(credentialsFor(graph), params, staticData)).result).toBeNull();
		expect(requestsTo(graph, 'instagram.media.comments')[0].query.fields).toContain(
			'replies{id,text,timestamp,username',
		);

		const reply = ig.addComment(post.id, {
			text: 'also, do you deliver to Pune?',
			username: 'ravi',
			parent_id: comment.id,
			timestamp: at(1000),
		});
		ig.addComment(post.id, {
			text: 'Yes we do!',
			parent_id: comment.id,
			from: { id: ig.accountId, username: ig.username },
			timestamp: at(2000),
		});
		const second = await pollTrigger(credentialsFor(graph), params, staticData);
		expect(second.emitted).toHaveLength(1);
		expect(second.emitted[0]).toMatchObject({
			id: reply.id,
			text: 'also, do you deliver to Pune?',
			parent_id: comment.id,
			is_reply: true,
			media_id: post.id,
			media_permalink: post.permalink,
		});
		expect((await pollTrigger(credentialsFor(graph), params, staticData)).result).toBeNull();

		staticData = restart(staticData);
		const later = ig.addComment(post.id, {
			text: 'ok ordering',
			username: 'meena',
			parent_id: comment.id,
			timestamp: at(3000),
		});
		const top = ig.addComment(post.id, { text: 'love it', username: 'asha', timestamp: at(4000) });
		const third = await pollTrigger(credentialsFor(graph), params, staticData);
		expect(third.emitted.map((c) => [c.id, c.parent_id, c.is_reply])).toEqual([
			[later.id, comment.id, true],
			[top.id, null, false],
		]);
		staticData = restart(staticData);
		expect((await pollTrigger(credentialsFor(graph), params, staticData)).result).toBeNull();
	});

	it('Include Replies off: only top-level comments start the workflow', async () => {
		const post = ig.addMedia({ caption: 'x', timestamp: at(-3600_000) });
		const comment = ig.addComment(post.id, { text: 'first', timestamp: at(-1000) });
		const staticData: IDataObject = {};
		const params = { event: 'newComment', includeReplies: false };
		await pollTrigger(credentialsFor(graph), params, staticData);
		ig.addComment(post.id, { text: 'a reply', parent_id: comment.id, timestamp: at(1000) });
		expect((await pollTrigger(credentialsFor(graph), params, staticData)).result).toBeNull();
		expect(requestsTo(graph, 'instagram.media.comments').every((r) => !r.query.fields?.includes('replies'))).toBe(true);
	});
});
