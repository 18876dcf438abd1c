// Real n8n 2.40.7: an active workflow with the Instagram Trigger (polling every minute) against the
// Graph API stand-in. Activation does not replay the account's old posts; posts published after it
// reach the workflow once each, also when later polls see them again.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { instagram, igTimestamp, IG_ACCOUNT_ID, startGraphStandIn, type GraphStandIn, type InstagramState } from '../../sandbox';
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
	const received: Array<{ id: string; caption: string; permalink: string }> = [];

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
	});

	afterAll(async () => {
		await n8n?.stop();
		await graph?.close();
		recorder?.close();
	});

	it('starts from activation (no old posts) and delivers each new post once', async () => {
		for (let i = 0; i < 5; i++) ig.addMedia({ caption: `old post ${i}`, timestamp: igTimestamp(Date.now() - (5 - i) * 3600_000) });
		await n8n.importCredentials([
			{
				id: 'igCredE2e0000002',
				name: 'Instagram e2e trigger',
				type: 'instagramApi',
				data: { loginType: 'facebook', accessToken: TOKEN, accountId: IG_ACCOUNT_ID, pageId: '', apiVersion: 'v24.0', baseUrl: `${graph.url}/graph.facebook.com` },
			},
		]);
		const id = await n8n.importWorkflow({
			name: 'Instagram new post → record (e2e)',
			nodes: [
				{
					parameters: { pollTimes: { item: [{ mode: 'everyMinute' }] }, event: 'newPost' },
					id: '8b2d1c3e-0000-4000-8000-000000000001',
					name: 'New Post',
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
						jsonBody: '={{ JSON.stringify({ id: $json.id, caption: $json.caption, permalink: $json.permalink }) }}',
						options: {},
					},
					id: '8b2d1c3e-0000-4000-8000-000000000002',
					name: 'Record',
					type: 'n8n-nodes-base.httpRequest',
					typeVersion: 4.2,
					position: [220, 0],
				},
			],
			connections: { 'New Post': { main: [[{ node: 'Record', type: 'main', index: 0 }]] } },
			settings: { executionOrder: 'v1' },
		});
		const workflow = await n8n.rest<{ data: { versionId: string } }>('GET', `/rest/workflows/${id}`);
		const polls = () => graph.requests.filter((r) => r.route === 'instagram.user.media').length;

		await n8n.rest('POST', `/rest/workflows/${id}/activate`, { versionId: workflow.data.versionId });
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
});
