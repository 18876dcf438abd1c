// The TiltedPrompts Trigger against the real service: it registers its subscription, the service's
// fan-out worker delivers real signed events to it, and it verifies, deduplicates and emits them.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IDataObject } from 'n8n-workflow';
import { signHeaders } from '../../../nodes/shared/standardWebhooks';
import { TiltedPromptsTrigger } from '../../../nodes/TiltedPromptsTrigger/TiltedPromptsTrigger.node';
import { TiltedPromptsApi } from '../../../credentials/TiltedPromptsApi.credentials';
import { hookContext, webhookContext } from '../../helpers/n8n';
import { startRealService, type RunningService } from './support/service';

jest.setTimeout(60_000);

const trigger = new TiltedPromptsTrigger();
let service: RunningService;
let receiver: Server;
let webhookUrl: string;
let events: string[] = ['library.bundle_ingested'];
const staticData: IDataObject = {};
const emitted: IDataObject[] = [];
const answers: Array<{ status?: number; body?: unknown; webhookId?: string }> = [];

/** n8n's side: every POST to the webhook URL runs the trigger's webhook() on the exact bytes. */
async function startReceiver(): Promise<void> {
	receiver = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', async () => {
			const headers: Record<string, string> = {};
			for (const [key, value] of Object.entries(req.headers)) if (typeof value === 'string') headers[key] = value;
			const { webhook, response } = webhookContext({
				nodeType: trigger,
				params: { events },
				credentials: credentials(),
				credentialTypes: [new TiltedPromptsApi()],
				staticData,
				headers,
				rawBody: Buffer.concat(chunks),
			});
			const result = await trigger.webhook!.call(webhook);
			if (result.workflowData) {
				emitted.push(...result.workflowData[0].map((item) => item.json));
				response.status = 200;
				response.body = { message: 'Workflow was started' };
			}
			answers.push({ ...response, webhookId: headers['webhook-id'] });
			res.writeHead(response.status ?? 500, { 'content-type': 'application/json' });
			res.end(JSON.stringify(response.body ?? null));
		});
	}).listen(0, '127.0.0.1');
	await new Promise((resolve) => receiver.once('listening', resolve));
	webhookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhook/abc/webhook`;
}

function credentials() {
	return { tiltedPromptsApi: { baseUrl: service.url, apiKey: service.proKey, signingSecret: service.signingSecret } };
}

function hooks() {
	return hookContext({
		nodeType: trigger,
		params: { events },
		credentials: credentials(),
		credentialTypes: [new TiltedPromptsApi()],
		webhookUrl,
		staticData,
	});
}

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: IDataObject }> {
	const res = await fetch(`${service.url}/api/v1${path}`, {
		method,
		headers: { authorization: `Bearer ${service.proKey}`, 'content-type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const text = await res.text();
	return { status: res.status, body: text ? JSON.parse(text) : {} };
}

async function ingestBundle(slug: string): Promise<void> {
	const body = JSON.stringify({ bundle_id: slug, assets: [{ slug, type: 'prompt', title: slug, content: 'x' }] });
	const res = await fetch(`${service.url}/api/v1/ingest-bundle`, {
		method: 'POST',
		headers: {
			'content-type': 'application/json',
			...signHeaders([service.signingSecret], `msg_${slug}`, Math.floor(Date.now() / 1000), body),
		},
		body,
	});
	expect(res.status).toBeLessThan(300);
}

async function waitFor(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
	for (let i = 0; i < 200; i++) {
		if (await condition()) return;
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
	throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
	service = await startRealService();
	await startReceiver();
});
afterAll(async () => {
	await service?.close();
	await new Promise((resolve) => receiver?.close(resolve));
});

describe('TiltedPrompts Trigger with the real service', () => {
	it('registers a subscription on activation and keeps its id and secret in static data', async () => {
		expect(await trigger.webhookMethods!.default.checkExists.call(hooks())).toBe(false);
		expect(await trigger.webhookMethods!.default.create.call(hooks())).toBe(true);
		expect(staticData.subscriptionId).toEqual(expect.any(String));
		expect(String(staticData.secret)).toMatch(/^whsec_/);
		expect(await trigger.webhookMethods!.default.checkExists.call(hooks())).toBe(true);
		const list = await api('GET', '/subscriptions');
		expect(list.body.data).toEqual([
			expect.objectContaining({
				id: staticData.subscriptionId,
				url: webhookUrl,
				event_types: ['library.bundle_ingested'],
			}),
		]);
	});

	it('receives a real event from the fan-out, verified, and starts the workflow once', async () => {
		await ingestBundle('trigger-one');
		await waitFor(() => emitted.length >= 1, 'the delivery');
		expect(emitted[0]).toMatchObject({ type: 'library.bundle_ingested', webhook_id: expect.any(String) });
		expect(JSON.stringify(emitted[0].data)).toContain('trigger-one');
		const deliveries = await api('GET', '/deliveries');
		await waitFor(
			async () => ((await api('GET', '/deliveries')).body.data as IDataObject[])[0]?.status === 'succeeded',
			'the delivery to be marked succeeded',
		);
		expect((deliveries.body.data as IDataObject[]).length).toBe(1);
	});

	it('answers a replayed delivery (same webhook-id) with 200 and does not start the workflow again', async () => {
		const [delivery] = (await api('GET', '/deliveries')).body.data as IDataObject[];
		const before = answers.length;
		const replay = await api('POST', `/deliveries/${String(delivery.id)}/replay`);
		expect(replay.status).toBeLessThan(300);
		await waitFor(() => answers.length > before, 'the replayed delivery');
		expect(answers[answers.length - 1]).toMatchObject({
			status: 200,
			body: { duplicate: true },
			webhookId: emitted[0].webhook_id,
		});
		expect(emitted).toHaveLength(1);
	});

	it('rejects forged, tampered and stale deliveries with 401 and starts nothing', async () => {
		const body = JSON.stringify({
			type: 'library.bundle_ingested',
			timestamp: new Date().toISOString(),
			data: { forged: true },
		});
		const now = Math.floor(Date.now() / 1000);
		const attempts: Array<[string, Record<string, string>, string]> = [
			['unsigned', {}, body],
			[
				'signed with another secret',
				signHeaders([`whsec_${randomBytes(32).toString('base64')}`], 'msg_f1', now, body),
				body,
			],
			['tampered body', signHeaders([String(staticData.secret)], 'msg_f2', now, body), body.replace('true', 'false')],
			['10 minutes old', signHeaders([String(staticData.secret)], 'msg_f3', now - 600, body), body],
		];
		for (const [what, headers, sent] of attempts) {
			const res = await fetch(webhookUrl, {
				method: 'POST',
				headers: { 'content-type': 'application/json', ...headers },
				body: sent,
			});
			expect([what, res.status]).toEqual([what, 401]);
			expect(((await res.json()) as { error: { code: string } }).error.code).toEqual(expect.any(String));
		}
		expect(emitted).toHaveLength(1);
	});

	it('replaces its subscription when the chosen events change, and removes it on deactivation', async () => {
		const first = staticData.subscriptionId;
		events = ['library.bundle_ingested', 'contact.opted_out'];
		expect(await trigger.webhookMethods!.default.checkExists.call(hooks())).toBe(false);
		expect(await trigger.webhookMethods!.default.create.call(hooks())).toBe(true);
		expect(staticData.subscriptionId).not.toBe(first);
		const ids = ((await api('GET', '/subscriptions')).body.data as IDataObject[]).map((s) => s.id);
		expect(ids).toEqual([staticData.subscriptionId]);

		expect(await trigger.webhookMethods!.default.delete.call(hooks())).toBe(true);
		expect(staticData.subscriptionId).toBeUndefined();
		expect((await api('GET', '/subscriptions')).body.data).toEqual([]);
	});
});
