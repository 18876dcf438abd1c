// Hashtags (Facebook Login only), Meta errors (code, fix, fbtrace_id) and rate-limit back-off.
import type { IDataObject } from 'n8n-workflow';
import { type GraphStandIn, type InstagramState } from '../../../sandbox';
import { credentialsFor, requestsTo, runInstagram, startStandIn } from './harness';

describe('Instagram node: hashtags, errors and rate limits', () => {
	let graph: GraphStandIn;
	let ig: InstagramState;
	beforeEach(async () => ({ graph, ig } = await startStandIn()));
	afterEach(() => graph.close());

	it('finds a hashtag id and its top and recent media (Facebook Login), with user_id as Meta requires', async () => {
		ig.addMedia({ caption: 'Sale! #summersale', like_count: 5, foreign: true, timestamp: '2026-01-01T00:00:00+0000' });
		const recent = ig.addMedia({ caption: 'New stock #SummerSale', like_count: 50, foreign: true });
		const search = await runInstagram(credentialsFor(graph), {
			resource: 'hashtag',
			operation: 'search',
			hashtagName: '#summersale',
		});
		expect(search.json[0]).toEqual({ id: '17841562447105233', name: 'summersale' });
		expect(requestsTo(graph, 'instagram.hashtag.search')[0].query).toMatchObject({
			user_id: ig.accountId,
			q: 'summersale',
		});
		const top = await runInstagram(credentialsFor(graph), {
			resource: 'hashtag',
			operation: 'topMedia',
			hashtagId: '17841562447105233',
			returnAll: true,
		});
		expect(top.json.map((m) => m.caption)).toEqual(['New stock #SummerSale', 'Sale! #summersale']);
		const latest = await runInstagram(credentialsFor(graph), {
			resource: 'hashtag',
			operation: 'recentMedia',
			hashtagId: '17841562447105233',
			returnAll: true,
		});
		expect(latest.json.map((m) => m.id)).toEqual([recent.id]);
		expect(requestsTo(graph, 'instagram.hashtag.recent_media')[0].query.user_id).toBe(ig.accountId);
	});

	it('refuses hashtag operations with Instagram Login, saying why, without calling Meta', async () => {
		const error = await runInstagram(credentialsFor(graph, { loginType: 'instagram' }), {
			resource: 'hashtag',
			operation: 'search',
			hashtagName: 'chai',
		}).catch((e) => e);
		expect(error.message).toContain('Hashtag search needs Facebook Login');
		expect(error.description).toContain('Login Type "Facebook Login"');
		expect(graph.requests).toHaveLength(0);
	});

	it('and graph.instagram.com itself has no hashtag endpoint (the stand-in answers like Meta)', async () => {
		const res = await fetch(`${graph.url}/graph.instagram.com/v24.0/ig_hashtag_search?user_id=${ig.accountId}&q=chai`, {
			headers: { authorization: 'Bearer ig-test-token' },
		});
		expect(((await res.json()) as { error: unknown }).error).toMatchObject({ code: 100, error_subcode: 33 });
	});

	it('an expired token: code 190, what to do, and fbtrace_id; the run stops', async () => {
		graph.expireToken('ig-test-token');
		const error = await runInstagram(credentialsFor(graph), { resource: 'account', operation: 'getProfile' }).catch(
			(e) => e,
		);
		expect(error.message).toBe(
			'Instagram error 190 (subcode 463): access token expired or invalid — create a new long-lived token (Instagram Login tokens last 60 days; refresh them) and update the Instagram credential',
		);
		expect(error.description).toMatch(/Meta says: Error validating access token.*fbtrace_id [A-Za-z0-9]+/);
		expect(error.httpCode).toBe('401');
	});

	it("an unknown post: code 100/33 with Meta's message", async () => {
		const error = await runInstagram(credentialsFor(graph), {
			resource: 'media',
			operation: 'get',
			mediaId: { __rl: true, mode: 'id', value: '999' },
		}).catch((e) => e);
		expect(error.message).toMatch(/^Instagram error 100 \(subcode 33\)/);
		expect(error.description).toContain("Object with ID '999' does not exist");
	});

	it('slows down when Meta reports high usage, and tells the user why', async () => {
		ig.usage.bucCallCount = 90;
		const { json, hints, warnings } = await runInstagram(
			credentialsFor(graph),
			{
				resource: 'account',
				operation: 'getProfile',
				rateLimits: { slowDownAtPercent: 75, maxWaitSeconds: 0.2 },
			},
			{ items: [{}, {}] },
		);
		expect(json).toHaveLength(2);
		expect(hints).toEqual([
			expect.objectContaining({
				type: 'warning',
				message: expect.stringContaining(
					'Meta reports 90 % usage (X-Business-Use-Case-Usage instagram call_count); slowing down',
				),
			}),
		]);
		expect(warnings[0]).toContain('90 %');
	});

	it('stops instead of hammering when Meta throttles the account for longer than it may wait, saying when access returns', async () => {
		const post = ig.addMedia({});
		ig.usage.throttleMinutes = 12;
		const first = await runInstagram(credentialsFor(graph), {
			resource: 'media',
			operation: 'get',
			mediaId: { __rl: true, mode: 'id', value: post.id },
		}).catch((e) => e);
		expect(first.message).toBe(
			'Instagram error 80002: too many calls to this Instagram account (business use case rate limit) — wait and run again later; the node already slows down when Meta reports high usage',
		);
		expect(first.description).toContain('access returns in about 12 min');

		// Two items: after Meta says "12 min", the node does not send the second call at all.
		ig.usage.throttleMinutes = undefined;
		ig.usage.bucCallCount = 100;
		graph.clearLog();
		const { items } = await runInstagram(
			credentialsFor(graph),
			{ resource: 'media', operation: 'get', mediaId: { __rl: true, mode: 'id', value: post.id } },
			{ items: [{}, {}], continueOnFail: true },
		);
		expect(items[0].json.id).toBe(post.id);
		expect((items[1].json.error as IDataObject).message).toContain('Instagram rate limit: Meta reports 100 % usage');
		expect(graph.requests).toHaveLength(1);
	});
});
