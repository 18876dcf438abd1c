// Real n8n 2.40.7 with our packed package: the Instagram node against the Graph API stand-in (reached
// through the credential's base URL override): credential test, a carousel published and read back,
// a trial reel with two collaborators published and read back, a private reply sent once.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
	instagram,
	IG_ACCOUNT_ID,
	IG_PAGE_ID,
	startGraphStandIn,
	type GraphStandIn,
	type InstagramState,
} from '../../sandbox';
import { startN8n, type N8nInstance } from './harness';

jest.setTimeout(600_000);

const TOKEN = 'ig-e2e-token';

describe('Instagram node in real n8n', () => {
	let n8n: N8nInstance;
	let graph: GraphStandIn;
	let ig: InstagramState;

	beforeAll(async () => {
		graph = await startGraphStandIn({ modules: [instagram()], validTokens: [TOKEN] });
		ig = graph.state.instagram as InstagramState;
		n8n = await startN8n();
	});

	afterAll(async () => {
		await n8n?.stop();
		await graph?.close();
	});

	it('registers the Instagram node, the Instagram Trigger and the Instagram credential', async () => {
		const nodes = (await n8n.nodeTypes()).map((type) => type.name);
		expect(nodes).toEqual(
			expect.arrayContaining(['n8n-nodes-tiltedprompts.instagram', 'n8n-nodes-tiltedprompts.instagramTrigger']),
		);
		expect((await n8n.credentialTypes()).map((type) => type.name)).toContain('instagramApi');
	});

	/** An Instagram node of a test workflow, using the e2e credential. */
	const instagramNode = (
		idPrefix: string,
		name: string,
		parameters: Record<string, unknown>,
		x: number,
		extra: Record<string, unknown> = {},
	) => ({
		parameters,
		id: `${idPrefix}-0000-4000-8000-00000000000${x}`,
		name,
		type: 'n8n-nodes-tiltedprompts.instagram',
		typeVersion: 1,
		position: [x * 220, 0],
		credentials: { instagramApi: { id: 'igCredE2e0000001', name: 'Instagram e2e' } },
		...extra,
	});

	const credential = () => ({
		id: 'igCredE2e0000001',
		name: 'Instagram e2e',
		type: 'instagramApi',
		data: {
			loginType: 'facebook',
			accessToken: TOKEN,
			accountId: IG_ACCOUNT_ID,
			pageId: IG_PAGE_ID,
			apiVersion: 'v24.0',
			baseUrl: `${graph.url}/graph.facebook.com`,
		},
	});

	it("tests the credential the way the editor does: it reads the account's username, and a bad token fails with Meta's 190 and what to do", async () => {
		await n8n.importCredentials([credential()]);
		graph.clearLog();
		const ok = await n8n.rest<{ data: { status: string; message: string } }>('POST', '/rest/credentials/test', {
			credentials: credential(),
		});
		expect(ok.data.status).toBe('OK');
		expect(graph.requests.map((r) => [r.path, r.query.fields])).toEqual([
			[`/graph.facebook.com/v24.0/${IG_ACCOUNT_ID}`, 'id,username'],
		]);
		const bad = await n8n.rest<{ data: { status: string; message: string } }>('POST', '/rest/credentials/test', {
			credentials: { ...credential(), data: { ...credential().data, accessToken: 'revoked-token' } },
		});
		expect(bad.data.status).toBe('Error');
		// Meta's code and what to do, not n8n's bare reason phrase ("Unauthorized").
		expect(bad.data.message).toMatch(/^Meta error 190\b.*paste it into Access Token\.$/);
	});

	it('publishes a carousel (image, video, image) and reads the post and its items back', async () => {
		await n8n.importCredentials([credential()]);
		graph.clearLog();
		const workflow = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'instagram-carousel.workflow.json'), 'utf8'));
		const id = await n8n.importWorkflow(workflow);
		const run = await n8n.execute(id);
		expect(run.error).toBeUndefined();

		const [published] = run.output('Publish Carousel');
		expect(published).toMatchObject({
			id: expect.any(String),
			media_type: 'CAROUSEL_ALBUM',
			permalink: expect.stringMatching(/^https:\/\/www\.instagram\.com\/p\/\w+\/$/),
		});
		expect(published.children_container_ids).toHaveLength(3);

		expect(run.output('Read Back')).toEqual([
			{
				id: published.id,
				caption: 'Three ways to chai ☕ #chai',
				media_type: 'CAROUSEL_ALBUM',
				permalink: published.permalink,
				timestamp: expect.any(String),
				comments_count: 0,
			},
		]);
		const items = run.output('Carousel Items');
		expect(items.map((item) => [item.media_type, item.position, item.parent_id])).toEqual([
			['IMAGE', 0, published.id],
			['VIDEO', 1, published.id],
			['IMAGE', 2, published.id],
		]);

		// What Meta (the stand-in) saw: one quota check, 4 containers, the video polled until FINISHED, one publish.
		expect(ig.published).toHaveLength(1);
		const routes = graph.requests.map((r) => r.route);
		expect(routes.filter((r) => r === 'instagram.user.publishingLimit')).toHaveLength(1);
		expect(routes.filter((r) => r === 'instagram.container.create')).toHaveLength(4);
		expect(routes.filter((r) => r === 'instagram.media.publish')).toHaveLength(1);
		const statuses = graph.requests
			.filter((r) => r.route === 'instagram.object' && r.query.fields?.includes('status_code'))
			.map((r) => (r.response as { status_code: string }).status_code);
		expect(statuses).toContain('IN_PROGRESS');
		expect(graph.requests.every((r) => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
	});

	it('publishes a trial reel with two collaborators and reads it back: a REELS post with both collaborators invited', async () => {
		await n8n.importCredentials([credential()]);
		graph.clearLog();
		const node = (name: string, parameters: Record<string, unknown>, x: number) =>
			instagramNode('5d7f1a2b', name, parameters, x);
		const id = await n8n.importWorkflow({
			name: 'Instagram trial reel with collaborators (e2e)',
			nodes: [
				{
					parameters: {},
					id: '5d7f1a2b-0000-4000-8000-000000000000',
					name: 'Start',
					type: 'n8n-nodes-base.manualTrigger',
					typeVersion: 1,
					position: [0, 0],
				},
				node(
					'Publish Trial Reel',
					{
						resource: 'publish',
						operation: 'reel',
						videoUrl: 'https://cdn.example.com/new-format.mp4',
						caption: 'Trying a new format',
						trialReel: 'SS_PERFORMANCE',
						collaborators: '@mumbai.eats, chai_lovers',
						publishOptions: { firstCheckDelaySeconds: 0.2, maxWaitSeconds: 30 },
					},
					1,
				),
				node(
					'Read Back',
					{
						resource: 'media',
						operation: 'get',
						mediaId: { __rl: true, mode: 'id', value: '={{ $json.id }}' },
						mediaFields: ['media_product_type', 'permalink'],
					},
					2,
				),
				node(
					'Collaborators',
					{
						resource: 'media',
						operation: 'getCollaborators',
						mediaId: { __rl: true, mode: 'id', value: '={{ $json.id }}' },
					},
					3,
				),
			],
			connections: {
				Start: { main: [[{ node: 'Publish Trial Reel', type: 'main', index: 0 }]] },
				'Publish Trial Reel': {
					main: [
						[
							{ node: 'Read Back', type: 'main', index: 0 },
							{ node: 'Collaborators', type: 'main', index: 0 },
						],
					],
				},
			},
			settings: { executionOrder: 'v1' },
		});
		const run = await n8n.execute(id);
		expect(run.error).toBeUndefined();
		const [published] = run.output('Publish Trial Reel');
		expect(published).toMatchObject({
			media_product_type: 'REELS',
			trial_params: { graduation_strategy: 'SS_PERFORMANCE' },
			collaborators_invited: ['mumbai.eats', 'chai_lovers'],
		});
		expect(run.output('Read Back')).toEqual([
			{ id: published.id, media_product_type: 'REELS', permalink: expect.stringContaining('/reel/') },
		]);
		expect(run.output('Collaborators').map((c) => [c.username, c.invite_status])).toEqual([
			['mumbai.eats', 'Pending'],
			['chai_lovers', 'Pending'],
		]);
		const create = graph.requests.find((r) => r.route === 'instagram.container.create')!;
		expect(create.query).toMatchObject({
			trial_params: '{"graduation_strategy":"SS_PERFORMANCE"}',
			collaborators: '["mumbai.eats","chai_lovers"]',
		});
		expect(ig.media.find((m) => m.id === published.id)?.trialParams).toEqual({ graduation_strategy: 'SS_PERFORMANCE' });
	});

	it("answers a comment with a private reply (the template's parameters), once: a second run gets Meta's refusal with code and fbtrace_id", async () => {
		const post = ig.addMedia({ caption: 'Masala chai, Rs 120' });
		const comment = ig.addComment(post.id, {
			text: 'price?',
			username: 'ravi',
			from: { id: '6180000000000042', username: 'ravi' },
		});
		const node = (name: string, parameters: Record<string, unknown>, x: number, extra: Record<string, unknown> = {}) =>
			instagramNode('9c3e2d4f', name, parameters, x, extra);
		const id = await n8n.importWorkflow({
			name: 'Instagram private reply (e2e)',
			nodes: [
				{
					parameters: {},
					id: '9c3e2d4f-0000-4000-8000-000000000000',
					name: 'Start',
					type: 'n8n-nodes-base.manualTrigger',
					typeVersion: 1,
					position: [0, 0],
				},
				node(
					'Get Comments',
					{
						resource: 'comment',
						operation: 'getMany',
						mediaId: { __rl: true, mode: 'id', value: post.id },
						returnAll: true,
					},
					1,
				),
				node(
					'Private Reply',
					{
						resource: 'message',
						operation: 'privateReply',
						commentId: '={{ $json.id }}',
						text: '=Hi {{ $json.username }}, it is Rs 120. Order here: https://chai.example.com',
					},
					2,
					{ onError: 'continueRegularOutput' },
				),
			],
			connections: {
				Start: { main: [[{ node: 'Get Comments', type: 'main', index: 0 }]] },
				'Get Comments': { main: [[{ node: 'Private Reply', type: 'main', index: 0 }]] },
			},
			settings: { executionOrder: 'v1' },
		});
		const first = await n8n.execute(id);
		expect(first.error).toBeUndefined();
		expect(first.output('Private Reply')).toEqual([
			{ recipient_id: '6180000000000042', message_id: expect.any(String), comment_id: comment.id },
		]);
		expect(ig.messages.map((m) => [m.path, m.recipient, m.text])).toEqual([
			[
				`/graph.facebook.com/v24.0/${IG_PAGE_ID}/messages`,
				{ comment_id: comment.id },
				'Hi ravi, it is Rs 120. Order here: https://chai.example.com',
			],
		]);

		const second = await n8n.execute(id);
		const [refused] = second.output('Private Reply');
		expect(refused.error).toMatchObject({
			code: 10,
			subcode: 2534022,
			http_status: 403,
			fbtrace_id: expect.any(String),
		});
		expect((refused.error as { message: string }).message).toContain('one private reply per comment, within 7 days');
		expect(ig.messages).toHaveLength(1);
	});
});
