// Real n8n 2.40.7: an active workflow with the Instagram Trigger (polling every minute) against the
// Graph API stand-in. Activation does not replay the account's old posts; posts published after it
// reach the workflow once each, also when later polls see them again; a new reply to a comment
// reaches a New Comment workflow once, with its parent comment id.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
	instagram,
	igTimestamp,
	IG_ACCOUNT_ID,
	startGraphStandIn,
	type GraphStandIn,
	type InstagramState,
} from '../../sandbox';
import { startN8n, type N8nInstance } from './harness';

jest.setTimeout(600_000);

const TOKEN = 'ig-e2e-trigger-token';

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
}

describe('Instagram Trigger in real n8n', () => {
	let n8n: N8nInstance;
	let graph: GraphStandIn;
	let ig: InstagramState;
	let recorder: Server;
	let recorderUrl: string;
	const received: Array<Record<string, unknown>> = [];

	beforeAll(async () => {
		graph = await startGraphStandIn({ modules: [instagram()], validTokens: [TOKEN] });
		ig = graph.state.instagram as InstagramState;
		recorder = createServer((req, res) => {
			let body = '';
			req.on('data', (chunk) => (body += chunk));
			req.on('end', () => {
				received.push(JSON.parse(body));
				res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
			});
		}).listen(0, '127.0.0.1');
		await new Promise((resolve) => recorder.once('listening', resolve));
		recorderUrl = `http://127.0.0.1:${(recorder.address() as AddressInfo).port}/record`;
		n8n = await startN8n();
		await n8n.importCredentials([
			{
				id: 'igCredE2e0000002',
				name: 'Instagram e2e trigger',
				type: 'instagramApi',
				data: {
					loginType: 'facebook',
					accessToken: TOKEN,
					accountId: IG_ACCOUNT_ID,
					pageId: '',
					apiVersion: 'v24.0',
					baseUrl: `${graph.url}/graph.facebook.com`,
				},
			},
		]);
	});

	afterAll(async () => {
		await n8n?.stop();
		await graph?.close();
		recorder?.close();
	});

	/** Imports and activates "<trigger> (every minute) → POST the fields `record` picks to the recorder". */
	async function activatePollingWorkflow(
		trigger: string,
		parameters: Record<string, unknown>,
		record: string,
		n: number,
	): Promise<void> {
		const id = await n8n.importWorkflow({
			name: `Instagram ${trigger} → record (e2e)`,
			nodes: [
				{
					parameters: { pollTimes: { item: [{ mode: 'everyMinute' }] }, ...parameters },
					id: `8b2d1c3e-0000-4000-8000-0000000000${n}1`,
					name: trigger,
					type: 'n8n-nodes-tiltedprompts.instagramTrigger',
					typeVersion: 1,
					position: [0, 0],
					credentials: { instagramApi: { id: 'igCredE2e0000002', name: 'Instagram e2e trigger' } },
				},
				{
					parameters: {
						method: 'POST',
						url: recorderUrl,
						sendBody: true,
						specifyBody: 'json',
						jsonBody: `={{ JSON.stringify(${record}) }}`,
						options: {},
					},
					id: `8b2d1c3e-0000-4000-8000-0000000000${n}2`,
					name: 'Record',
					type: 'n8n-nodes-base.httpRequest',
					typeVersion: 4.2,
					position: [220, 0],
				},
			],
			connections: { [trigger]: { main: [[{ node: 'Record', type: 'main', index: 0 }]] } },
			settings: { executionOrder: 'v1' },
		});
		const workflow = await n8n.rest<{ data: { versionId: string } }>('GET', `/rest/workflows/${id}`);
		await n8n.rest('POST', `/rest/workflows/${id}/activate`, { versionId: workflow.data.versionId });
	}

	it('starts from activation (no old posts) and delivers each new post once', async () => {
		for (let i = 0; i < 5; i++)
			ig.addMedia({ caption: `old post ${i}`, timestamp: igTimestamp(Date.now() - (5 - i) * 3600_000) });
		const polls = () => graph.requests.filter((r) => r.route === 'instagram.user.media').length;
		await activatePollingWorkflow(
			'New Post',
			{ event: 'newPost' },
			'{ id: $json.id, caption: $json.caption, permalink: $json.permalink }',
			1,
		);
		await until('the activation poll', () => polls() >= 1, 60_000);

		const a = ig.addMedia({ caption: 'Launch: cardamom chai', timestamp: igTimestamp(Date.now() + 1000) });
		const b = ig.addMedia({ caption: 'Launch: ginger chai', timestamp: igTimestamp(Date.now() + 2000) });
		await until('the two new posts to reach the workflow', () => received.length >= 2, 150_000);
		const afterEmit = polls();
		await until('one more poll', () => polls() > afterEmit, 90_000);
		await new Promise((resolve) => setTimeout(resolve, 3000));

		expect(received).toEqual([
			{ id: a.id, caption: 'Launch: cardamom chai', permalink: a.permalink },
			{ id: b.id, caption: 'Launch: ginger chai', permalink: b.permalink },
		]);
	});

	it("the New Comment trigger delivers a new reply once, with the comment it answers (not the account's own reply)", async () => {
		const post = ig.addMedia({ caption: 'Diwali hamper', timestamp: igTimestamp(Date.now() - 3600_000) });
		const comment = ig.addComment(post.id, {
			text: 'price?',
			username: 'ravi',
			timestamp: igTimestamp(Date.now() - 600_000),
		});
		received.length = 0;
		const polls = () => graph.requests.filter((r) => r.route === 'instagram.media.comments').length;
		await activatePollingWorkflow(
			'New Comment',
			{ event: 'newComment', postsToWatch: 3 },
			'{ id: $json.id, text: $json.text, parent_id: $json.parent_id, is_reply: $json.is_reply, media_id: $json.media_id }',
			2,
		);
		// The activation poll reads the comments of each watched post; let it finish (it records what
		// is there as seen) before the reply is written.
		const watched = Math.min(
			3,
			ig.media.filter((m) => !m.isCarouselItem && !m.foreign && m.media_product_type !== 'STORY').length,
		);
		await until('the activation poll', () => polls() >= watched, 60_000);
		await new Promise((resolve) => setTimeout(resolve, 3000));

		const reply = ig.addComment(post.id, {
			text: 'do you deliver to Pune?',
			username: 'ravi',
			parent_id: comment.id,
			timestamp: igTimestamp(Date.now() + 1000),
		});
		ig.addComment(post.id, {
			text: 'Yes, we do!',
			parent_id: comment.id,
			from: { id: ig.accountId, username: ig.username },
			timestamp: igTimestamp(Date.now() + 2000),
		});
		await until('the reply to reach the workflow', () => received.length >= 1, 150_000);
		const afterEmit = polls();
		await until('one more poll', () => polls() > afterEmit, 90_000);
		await new Promise((resolve) => setTimeout(resolve, 3000));

		expect(received).toEqual([
			{ id: reply.id, text: 'do you deliver to Pune?', parent_id: comment.id, is_reply: true, media_id: post.id },
		]);
	});
});
