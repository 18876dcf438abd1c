// Publishing through Instagram.execute() against the Graph API stand-in: every media type, the
// container status polling, ERROR and EXPIRED containers, and a spent quota.
import { IG_ACCOUNT_ID, type GraphStandIn, type InstagramState } from '../../../sandbox';
import { credentialsFor, requestsTo, runInstagram, startStandIn } from './harness';

const fast = { firstCheckDelaySeconds: 0.01, maxWaitSeconds: 5 };

describe('Instagram node: publishing', () => {
	let graph: GraphStandIn;
	let ig: InstagramState;
	beforeEach(async () => ({ graph, ig } = await startStandIn({ quotaTotal: 25 })));
	afterEach(() => graph.close());

	it('publishes an image: quota check, container, status check, media_publish, permalink', async () => {
		const { json } = await runInstagram(credentialsFor(graph), {
			resource: 'publish',
			operation: 'image',
			imageUrl: 'https://cdn.example.com/masala-chai.jpg',
			caption: 'Fresh masala chai ☕ #chai',
			altText: 'A glass of chai',
			publishOptions: fast,
		});
		expect(json[0]).toMatchObject({
			id: ig.published[0].mediaId,
			permalink: expect.stringMatching(/^https:\/\/www\.instagram\.com\/p\/\w+\/$/),
			media_type: 'IMAGE',
			media_product_type: 'FEED',
			container_id: ig.published[0].containerId,
			quota_before: { quota_usage: 0, quota_total: 25 },
		});
		expect(graph.requests.map((r) => `${r.method} ${r.route}`)).toEqual([
			'GET instagram.user.publishingLimit',
			'POST instagram.container.create',
			'GET instagram.object',
			'POST instagram.media.publish',
			'GET instagram.object',
		]);
		expect(requestsTo(graph, 'instagram.container.create')[0].query).toEqual({
			image_url: 'https://cdn.example.com/masala-chai.jpg',
			caption: 'Fresh masala chai ☕ #chai',
			alt_text: 'A glass of chai',
		});
		expect(requestsTo(graph, 'instagram.media.publish')[0].query).toEqual({ creation_id: json[0].container_id });
		expect(ig.media[0]).toMatchObject({ caption: 'Fresh masala chai ☕ #chai', alt_text: 'A glass of chai' });
	});

	it('publishes a reel, polling status_code through IN_PROGRESS until FINISHED', async () => {
		const { json } = await runInstagram(credentialsFor(graph), {
			resource: 'publish',
			operation: 'reel',
			videoUrl: 'https://cdn.example.com/reel.mp4',
			caption: 'Behind the counter',
			publishOptions: fast,
		});
		expect(json[0]).toMatchObject({
			media_type: 'VIDEO',
			media_product_type: 'REELS',
			permalink: expect.stringContaining('/reel/'),
			status_checks: 3,
		});
		expect(requestsTo(graph, 'instagram.container.create')[0].query).toMatchObject({
			media_type: 'REELS',
			video_url: 'https://cdn.example.com/reel.mp4',
			share_to_feed: 'true',
		});
		const statuses = graph.requests.filter(
			(r) => r.route === 'instagram.object' && r.query.fields?.includes('status_code'),
		);
		expect(statuses.map((r) => (r.response as { status_code: string }).status_code)).toEqual([
			'IN_PROGRESS',
			'IN_PROGRESS',
			'FINISHED',
		]);
	});

	it('publishes a story (image or video)', async () => {
		const image = await runInstagram(credentialsFor(graph), {
			resource: 'publish',
			operation: 'story',
			storyMediaType: 'image',
			storyUrl: 'https://cdn.example.com/story.jpg',
			publishOptions: fast,
		});
		expect(image.json[0]).toMatchObject({ media_product_type: 'STORY', media_type: 'IMAGE' });
		const video = await runInstagram(credentialsFor(graph), {
			resource: 'publish',
			operation: 'story',
			storyMediaType: 'video',
			storyUrl: 'https://cdn.example.com/story.mp4',
			publishOptions: fast,
		});
		expect(video.json[0]).toMatchObject({ media_product_type: 'STORY', media_type: 'VIDEO' });
		expect(requestsTo(graph, 'instagram.container.create').map((r) => r.query)).toEqual([
			{ media_type: 'STORIES', image_url: 'https://cdn.example.com/story.jpg' },
			{ media_type: 'STORIES', video_url: 'https://cdn.example.com/story.mp4' },
		]);
	});

	it('publishes a carousel: item containers (is_carousel_item), then the CAROUSEL container with their ids in order', async () => {
		const { json } = await runInstagram(credentialsFor(graph), {
			resource: 'publish',
			operation: 'carousel',
			carouselItems: {
				item: [
					{ type: 'image', url: 'https://cdn.example.com/1.jpg' },
					{ type: 'video', url: 'https://cdn.example.com/2.mp4' },
					{ type: 'image', url: 'https://cdn.example.com/3.jpg' },
				],
			},
			caption: 'Three ways to chai',
			publishOptions: fast,
		});
		const creates = requestsTo(graph, 'instagram.container.create');
		expect(creates.map((r) => r.query)).toEqual([
			{ is_carousel_item: 'true', image_url: 'https://cdn.example.com/1.jpg' },
			{ is_carousel_item: 'true', media_type: 'VIDEO', video_url: 'https://cdn.example.com/2.mp4' },
			{ is_carousel_item: 'true', image_url: 'https://cdn.example.com/3.jpg' },
			{
				media_type: 'CAROUSEL',
				caption: 'Three ways to chai',
				children: (json[0].children_container_ids as string[]).join(','),
			},
		]);
		expect(json[0]).toMatchObject({
			media_type: 'CAROUSEL_ALBUM',
			permalink: expect.stringContaining('instagram.com/p/'),
		});
		const album = ig.media.find((m) => m.id === json[0].id)!;
		expect(album.children).toHaveLength(3);
		expect(album.children!.map((id) => ig.media.find((m) => m.id === id)!.media_type)).toEqual([
			'IMAGE',
			'VIDEO',
			'IMAGE',
		]);
		expect(ig.published).toHaveLength(1);
	});

	it('refuses a carousel with fewer than 2 or more than 10 items before calling Meta', async () => {
		const one = await runInstagram(credentialsFor(graph), {
			resource: 'publish',
			operation: 'carousel',
			carouselItems: { item: [{ type: 'image', url: 'https://cdn.example.com/1.jpg' }] },
		}).catch((e) => e);
		expect(one.message).toBe('A carousel needs 2 to 10 items; got 1');
		const eleven = Array.from({ length: 11 }, (_, i) => ({ type: 'image', url: `https://cdn.example.com/${i}.jpg` }));
		const many = await runInstagram(credentialsFor(graph), {
			resource: 'publish',
			operation: 'carousel',
			carouselItems: { item: eleven },
		}).catch((e) => e);
		expect(many.message).toBe('A carousel needs 2 to 10 items; got 11');
		expect(graph.requests).toHaveLength(0);
	});

	it("stops on an ERROR container with Meta's status text and a fix, and publishes nothing", async () => {
		ig.outcomes.set('https://cdn.example.com/bad.mov', {
			outcome: 'ERROR',
			inProgressChecks: 1,
			status:
				'Error: Media upload has failed with error code 2207026. Unsupported format: The video format is not supported.',
		});
		const error = await runInstagram(credentialsFor(graph), {
			resource: 'publish',
			operation: 'reel',
			videoUrl: 'https://cdn.example.com/bad.mov',
			publishOptions: fast,
		}).catch((e) => e);
		expect(error.message).toContain('Instagram reel container ERROR');
		expect(error.message).toContain('Unsupported format: The video format is not supported.');
		expect(error.description).toContain('the video format is not supported — use an MP4/MOV');
		expect(error.description).toContain('Nothing was published');
		expect(requestsTo(graph, 'instagram.media.publish')).toHaveLength(0);
		expect(ig.published).toHaveLength(0);
	});

	it('stops on a failing carousel item before creating the carousel container', async () => {
		ig.outcomes.set('https://cdn.example.com/broken.jpg', {
			outcome: 'ERROR',
			status: "Error: Media download has failed. The media URI doesn't meet our requirements. (2207052)",
		});
		const error = await runInstagram(credentialsFor(graph), {
			resource: 'publish',
			operation: 'carousel',
			carouselItems: {
				item: [
					{ type: 'image', url: 'https://cdn.example.com/ok.jpg' },
					{ type: 'image', url: 'https://cdn.example.com/broken.jpg' },
				],
			},
			publishOptions: fast,
		}).catch((e) => e);
		expect(error.message).toContain('carousel item 2 (image) container ERROR');
		expect(error.description).toContain('make sure the URL is public');
		expect(requestsTo(graph, 'instagram.container.create')).toHaveLength(2);
		expect(ig.published).toHaveLength(0);
	});

	it('stops on an EXPIRED container and says containers must be published within 24 hours', async () => {
		ig.outcomes.set('https://cdn.example.com/late.jpg', { outcome: 'EXPIRED' });
		const error = await runInstagram(credentialsFor(graph), {
			resource: 'publish',
			operation: 'image',
			imageUrl: 'https://cdn.example.com/late.jpg',
			publishOptions: fast,
		}).catch((e) => e);
		expect(error.message).toContain('Instagram image container EXPIRED');
		expect(error.description).toContain('published within 24 hours');
		expect(ig.published).toHaveLength(0);
	});

	it('gives up with a clear message when a container stays IN_PROGRESS past Max Wait', async () => {
		ig.outcomes.set('https://cdn.example.com/huge.mp4', { outcome: 'FINISHED', inProgressChecks: 50 });
		const error = await runInstagram(credentialsFor(graph), {
			resource: 'publish',
			operation: 'reel',
			videoUrl: 'https://cdn.example.com/huge.mp4',
			publishOptions: { firstCheckDelaySeconds: 0.01, maxWaitSeconds: 0.05 },
		}).catch((e) => e);
		expect(error.message).toContain('Instagram reel container not ready');
		expect(error.description).toContain('raise "Max Wait"');
		expect(ig.published).toHaveLength(0);
	});

	it('refuses to publish when the 24 h quota is spent, before creating any container', async () => {
		for (let i = 0; i < 25; i++)
			ig.published.push({ at: Date.now() - 3600_000, mediaId: `m${i}`, containerId: `c${i}` });
		const error = await runInstagram(credentialsFor(graph), {
			resource: 'publish',
			operation: 'image',
			imageUrl: 'https://cdn.example.com/x.jpg',
			publishOptions: fast,
		}).catch((e) => e);
		expect(error.message).toBe(
			'Instagram publishing quota spent: 25 of 25 posts in the last 24 h. Nothing was published.',
		);
		expect(graph.requests.map((r) => r.route)).toEqual(['instagram.user.publishingLimit']);
		const quota = await runInstagram(credentialsFor(graph), { resource: 'publish', operation: 'getQuota' });
		expect(quota.json[0]).toEqual({ quota_usage: 25, quota_total: 25, quota_duration: 86400, remaining: 0 });
	});

	it("maps Meta's own quota error (9/2207042) when the quota check is switched off", async () => {
		for (let i = 0; i < 25; i++)
			ig.published.push({ at: Date.now() - 3600_000, mediaId: `m${i}`, containerId: `c${i}` });
		const error = await runInstagram(credentialsFor(graph), {
			resource: 'publish',
			operation: 'image',
			imageUrl: 'https://cdn.example.com/x.jpg',
			publishOptions: { ...fast, checkQuota: false },
		}).catch((e) => e);
		expect(error.message).toBe(
			'Instagram error 9 (subcode 2207042): the account reached its content publishing limit (posts per 24 h) — wait until older posts leave the 24 h window; check Publish → quota before publishing',
		);
		expect(error.description).toMatch(/fbtrace_id \w+/);
	});

	it('publishes to the account of the credential on graph.instagram.com for Instagram Login', async () => {
		await runInstagram(credentialsFor(graph, { loginType: 'instagram' }), {
			resource: 'publish',
			operation: 'image',
			imageUrl: 'https://cdn.example.com/x.jpg',
			publishOptions: fast,
		});
		expect(requestsTo(graph, 'instagram.media.publish')[0].path).toBe(
			`/graph.instagram.com/v24.0/${IG_ACCOUNT_ID}/media_publish`,
		);
	});
});
