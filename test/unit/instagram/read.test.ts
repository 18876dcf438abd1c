// Account and Media operations through Instagram.execute() against the Graph API stand-in.
import { IG_ACCOUNT_ID, igTimestamp, type GraphStandIn, type InstagramState } from '../../../sandbox';
import { credentialsFor, requestsTo, runInstagram, searchMediaList, startStandIn, TOKEN } from './harness';

describe('Instagram node: account and media', () => {
	let graph: GraphStandIn;
	let ig: InstagramState;
	beforeEach(async () => ({ graph, ig } = await startStandIn()));
	afterEach(() => graph.close());

	it('gets the profile (username, followers, media count) with the token as a Bearer header', async () => {
		ig.addMedia({ caption: 'one' });
		ig.addMedia({ caption: 'two' });
		const { json } = await runInstagram(credentialsFor(graph), { resource: 'account', operation: 'getProfile' });
		expect(json).toEqual([
			{
				id: IG_ACCOUNT_ID,
				username: 'chai_point_demo',
				name: 'Chai Point',
				followers_count: 1520,
				follows_count: 87,
				media_count: 2,
			},
		]);
		const [request] = requestsTo(graph, 'instagram.object');
		expect(request.path).toBe(`/graph.facebook.com/v24.0/${IG_ACCOUNT_ID}`);
		expect(request.headers.authorization).toBe(`Bearer ${TOKEN}`);
		expect(request.query.access_token).toBeUndefined();
	});

	it('uses graph.instagram.com for Instagram Login credentials', async () => {
		await runInstagram(credentialsFor(graph, { loginType: 'instagram' }), {
			resource: 'account',
			operation: 'getProfile',
		});
		expect(graph.requests[0].path).toBe(`/graph.instagram.com/v24.0/${IG_ACCOUNT_ID}`);
	});

	it('gets account insights as one row per metric; a metric without data is "not available", not 0', async () => {
		delete ig.accountInsights.accounts_engaged;
		const { json } = await runInstagram(credentialsFor(graph), {
			resource: 'account',
			operation: 'getInsights',
			accountMetrics: ['reach', 'accounts_engaged'],
			period: 'day',
			metricType: 'total_value',
		});
		expect(json).toEqual([
			expect.objectContaining({ metric: 'reach', available: true, value: 4200, period: 'day' }),
			expect.objectContaining({ metric: 'accounts_engaged', available: false, value: null }),
		]);
		expect(requestsTo(graph, 'instagram.insights')[0].query).toMatchObject({
			metric: 'reach,accounts_engaged',
			period: 'day',
			metric_type: 'total_value',
		});
	});

	it('gets many posts with the chosen fields: all of them across cursor pages, or up to a limit', async () => {
		const base = Date.parse('2026-11-01T00:00:00Z');
		for (let i = 0; i < 130; i++) ig.addMedia({ caption: `post ${i}`, timestamp: igTimestamp(base + i * 60_000) });
		const all = await runInstagram(credentialsFor(graph), {
			resource: 'media',
			operation: 'getMany',
			returnAll: true,
			mediaFields: ['caption', 'timestamp'],
		});
		expect(all.json).toHaveLength(130);
		expect(new Set(all.json.map((m) => m.id)).size).toBe(130);
		expect(all.json[0]).toEqual({
			id: expect.any(String),
			caption: 'post 129',
			timestamp: expect.stringMatching(/\+0000$/),
		});
		expect(all.json[129].caption).toBe('post 0');
		const pages = requestsTo(graph, 'instagram.user.media');
		expect(pages).toHaveLength(2);
		expect(pages[0].query).toMatchObject({ fields: 'id,caption,timestamp', limit: '100' });
		expect(pages[1].query.after).toEqual(expect.any(String));

		graph.clearLog();
		const some = await runInstagram(credentialsFor(graph), {
			resource: 'media',
			operation: 'getMany',
			returnAll: false,
			limit: 30,
		});
		expect(some.json).toHaveLength(30);
		expect(requestsTo(graph, 'instagram.user.media')).toHaveLength(1);
	});

	it('gets one post, and the items of a carousel in order', async () => {
		const first = ig.addMedia({ media_type: 'IMAGE', isCarouselItem: true });
		const second = ig.addMedia({ media_type: 'VIDEO', isCarouselItem: true });
		const album = ig.addMedia({
			media_type: 'CAROUSEL_ALBUM',
			caption: 'Diwali specials',
			children: [first.id, second.id],
		});
		const got = await runInstagram(credentialsFor(graph), {
			resource: 'media',
			operation: 'get',
			mediaId: { __rl: true, mode: 'id', value: album.id },
		});
		expect(got.json[0]).toMatchObject({
			id: album.id,
			caption: 'Diwali specials',
			media_type: 'CAROUSEL_ALBUM',
			permalink: album.permalink,
		});
		const children = await runInstagram(credentialsFor(graph), {
			resource: 'media',
			operation: 'getChildren',
			mediaId: { __rl: true, mode: 'id', value: album.id },
		});
		expect(children.json.map((c) => [c.id, c.media_type, c.position])).toEqual([
			[first.id, 'IMAGE', 0],
			[second.id, 'VIDEO', 1],
		]);
	});

	it('gets media insights with current metric names; metrics Meta has no data for are not reported as 0', async () => {
		const post = ig.addMedia({ caption: 'new', insights: { views: 310, reach: 200 } });
		const { json } = await runInstagram(credentialsFor(graph), {
			resource: 'media',
			operation: 'getInsights',
			mediaId: { __rl: true, mode: 'id', value: post.id },
			mediaMetrics: ['views', 'reach', 'saved'],
		});
		expect(json.map((row) => [row.metric, row.available, row.value])).toEqual([
			['views', true, 310],
			['reach', true, 200],
			['saved', false, null],
		]);
	});

	it("reports Meta's rejection of a metric with the code and fbtrace_id (reels metrics on a feed post)", async () => {
		const post = ig.addMedia({ caption: 'feed' });
		const error = await runInstagram(credentialsFor(graph), {
			resource: 'media',
			operation: 'getInsights',
			mediaId: { __rl: true, mode: 'id', value: post.id },
			mediaMetrics: ['ig_reels_avg_watch_time'],
		}).catch((e) => e);
		expect(error.message).toMatch(/^Instagram error 100: invalid parameter/);
		expect(error.description).toContain('does not support the ig_reels_avg_watch_time metric');
		expect(error.description).toMatch(/fbtrace_id [A-Za-z0-9]+/);
	});

	it('lists recent posts in the Media picker, filtered by caption, with a page token for more', async () => {
		for (let i = 0; i < 60; i++)
			ig.addMedia({
				caption: i === 59 ? 'Diwali chai hamper' : `post ${i}`,
				timestamp: igTimestamp(Date.parse('2026-11-01T00:00:00Z') + i * 60_000),
			});
		const first = await searchMediaList(credentialsFor(graph));
		expect(first.results).toHaveLength(50);
		expect(first.results[0]).toEqual({
			name: '2026-11-01 IMAGE – Diwali chai hamper',
			value: ig.media[0].id,
			url: ig.media[0].permalink,
		});
		const more = await searchMediaList(credentialsFor(graph), undefined, first.paginationToken);
		expect(more.results).toHaveLength(10);
		expect(more.paginationToken).toBeUndefined();
		const filtered = await searchMediaList(credentialsFor(graph), 'diwali');
		expect(filtered.results.map((r) => r.value)).toEqual([ig.media[0].id]);
	});
});
