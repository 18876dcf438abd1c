// The Instagram module of the Graph API stand-in: answers as Meta documents, next to the WhatsApp
// module in one stand-in.
import {
	DEFAULT_PHONE_NUMBER_ID,
	IG_ACCOUNT_ID,
	instagram,
	startGraphStandIn,
	whatsapp,
	type GraphStandIn,
	type InstagramState,
} from '../../../sandbox';

describe('Graph API stand-in: Instagram module', () => {
	let graph: GraphStandIn;
	let ig: InstagramState;
	let clock = Date.parse('2026-11-20T12:00:00Z');
	beforeEach(async () => {
		clock = Date.parse('2026-11-20T12:00:00Z');
		graph = await startGraphStandIn({ modules: [whatsapp(), instagram({ now: () => clock })], validTokens: ['t'] });
		ig = graph.state.instagram as InstagramState;
	});
	afterEach(() => graph.close());

	const call = async (method: string, path: string, body?: unknown) => {
		const res = await fetch(`${graph.url}${path}`, {
			method,
			headers: { authorization: 'Bearer t', ...(body ? { 'content-type': 'application/json' } : {}) },
			body: body ? JSON.stringify(body) : undefined,
		});
		return { status: res.status, headers: res.headers, body: (await res.json()) as any };
	};

	it('serves WhatsApp and Instagram side by side', async () => {
		const wa = await call('POST', `/v23.0/${DEFAULT_PHONE_NUMBER_ID}/messages`, {
			messaging_product: 'whatsapp',
			to: '919800000001',
			type: 'text',
			text: { body: 'hi' },
		});
		expect(wa.body.messages[0].id).toMatch(/^wamid\./);
		const me = await call('GET', `/graph.facebook.com/v24.0/${IG_ACCOUNT_ID}?fields=username`);
		expect(me.body).toEqual({ username: 'chai_point_demo', id: IG_ACCOUNT_ID });
	});

	it('reports usage in X-App-Usage and X-Business-Use-Case-Usage on every answer', async () => {
		ig.usage.bucCallCount = 42;
		const res = await call('GET', `/graph.facebook.com/v24.0/${IG_ACCOUNT_ID}`);
		expect(JSON.parse(res.headers.get('x-business-use-case-usage')!)).toEqual({
			[IG_ACCOUNT_ID]: [
				{ type: 'instagram', call_count: 42, total_cputime: 11, total_time: 21, estimated_time_to_regain_access: 0 },
			],
		});
		expect(JSON.parse(res.headers.get('x-app-usage')!)).toHaveProperty('call_count');
	});

	it('rejects unknown fields the way Graph does', async () => {
		const res = await call('GET', `/graph.facebook.com/v24.0/${IG_ACCOUNT_ID}/media?fields=id,impressions`);
		expect(res.body.error).toMatchObject({
			code: 100,
			message: '(#100) Tried accessing nonexisting field (impressions) on node type (IGMedia)',
		});
	});

	it('expires an unpublished container after 24 h: status EXPIRED, media_publish -2/2207020', async () => {
		const { body } = await call(
			'POST',
			`/graph.facebook.com/v24.0/${IG_ACCOUNT_ID}/media?image_url=https://cdn.example.com/a.jpg`,
		);
		clock += 25 * 3600_000;
		expect((await call('GET', `/graph.facebook.com/v24.0/${body.id}?fields=status_code`)).body).toEqual({
			status_code: 'EXPIRED',
			id: body.id,
		});
		const publish = await call(
			'POST',
			`/graph.facebook.com/v24.0/${IG_ACCOUNT_ID}/media_publish?creation_id=${body.id}`,
		);
		expect(publish.body.error).toMatchObject({ code: -2, error_subcode: 2207020 });
	});

	it('refuses media_publish before FINISHED (9007/2207027) and reports the quota with config', async () => {
		const { body } = await call(
			'POST',
			`/graph.facebook.com/v24.0/${IG_ACCOUNT_ID}/media?media_type=REELS&video_url=https://cdn.example.com/v.mp4`,
		);
		const early = await call('POST', `/graph.facebook.com/v24.0/${IG_ACCOUNT_ID}/media_publish?creation_id=${body.id}`);
		expect(early.body.error).toMatchObject({
			code: 9007,
			error_subcode: 2207027,
			error_user_msg: 'The media is not ready for publishing, please wait for a moment',
		});
		const quota = await call(
			'GET',
			`/graph.facebook.com/v24.0/${IG_ACCOUNT_ID}/content_publishing_limit?fields=quota_usage,config`,
		);
		expect(quota.body).toEqual({ data: [{ quota_usage: 0, config: { quota_total: 100, quota_duration: 86400 } }] });
	});

	it('limits hashtag search to 30 unique hashtags per 7 days (code 24)', async () => {
		for (let i = 0; i < 30; i++)
			expect(
				(await call('GET', `/graph.facebook.com/v24.0/ig_hashtag_search?user_id=${IG_ACCOUNT_ID}&q=tag${i}`)).status,
			).toBe(200);
		expect(
			(await call('GET', `/graph.facebook.com/v24.0/ig_hashtag_search?user_id=${IG_ACCOUNT_ID}&q=tag0`)).status,
		).toBe(200);
		expect(
			(await call('GET', `/graph.facebook.com/v24.0/ig_hashtag_search?user_id=${IG_ACCOUNT_ID}&q=tag30`)).body.error
				.code,
		).toBe(24);
		clock += 8 * 24 * 3600_000;
		expect(
			(await call('GET', `/graph.facebook.com/v24.0/ig_hashtag_search?user_id=${IG_ACCOUNT_ID}&q=tag30`)).status,
		).toBe(200);
	});
});
