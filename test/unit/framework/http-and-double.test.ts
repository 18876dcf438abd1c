import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ICredentialDataDecryptedObject, ICredentialType, IHttpRequestOptions, INodeType } from 'n8n-workflow';
import { httpCall } from '../../../nodes/shared/http';
import {
	executeContext,
	hookContext,
	loadOptionsContext,
	newRecorder,
	parameterGetter,
	pollContext,
	webhookContext,
} from '../../helpers/n8n';

interface Seen {
	method: string;
	url: string;
	authorization?: string;
	accept?: string;
	contentType?: string;
	body: string;
}

let server: Server;
let base: string;
const seen: Seen[] = [];

beforeAll(async () => {
	server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			seen.push({
				method: req.method ?? '',
				url: req.url ?? '',
				authorization: req.headers.authorization,
				accept: req.headers.accept,
				contentType: req.headers['content-type'],
				body: Buffer.concat(chunks).toString(),
			});
			const path = new URL(req.url ?? '/', 'http://x').pathname;
			if (path === '/json') return res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
			if (path === '/text') return res.writeHead(200).end('plain words');
			if (path === '/empty') return res.writeHead(204).end();
			if (path === '/file') return res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.from([0, 1, 2, 255]));
			if (path === '/limited') {
				return res
					.writeHead(429, {
						'Retry-After': '3',
						'X-App-Usage': '{"call_count":91,"total_time":5,"total_cputime":5}',
						'content-type': 'application/json',
					})
					.end('{"error":{"message":"slow down","code":4}}');
			}
			return res.writeHead(404).end('{"error":{"code":"not_found"}}');
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => await new Promise((resolve) => server.close(resolve)));

const credentialType = {
	name: 'testApi',
	displayName: 'Test API',
	properties: [],
	async authenticate(credentials: ICredentialDataDecryptedObject, options: IHttpRequestOptions) {
		return {
			...options,
			headers: { ...(options.headers ?? {}), Authorization: `Bearer ${String(credentials.token)}` },
		};
	},
} as unknown as ICredentialType;

const nodeType = {
	description: {
		displayName: 'Test',
		name: 'test',
		group: ['transform'],
		version: 1,
		description: 'test',
		defaults: { name: 'Test' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [
			{ displayName: 'Kind', name: 'kind', type: 'options', default: 'a', options: [] },
			{ displayName: 'Size', name: 'size', type: 'number', default: 5, displayOptions: { show: { kind: ['a'] } } },
			{ displayName: 'Size', name: 'size', type: 'number', default: 9, displayOptions: { show: { kind: ['b'] } } },
			{
				displayName: 'Note',
				name: 'note',
				type: 'string',
				default: 'shown',
				displayOptions: { hide: { kind: ['b'] } },
			},
			{ displayName: 'Dynamic', name: 'dynamic', type: 'string', default: '={{ $json.x }}' },
		],
	},
} as unknown as INodeType;

function context() {
	const recorder = newRecorder();
	const ctx = executeContext(
		{ nodeType, credentials: { testApi: { token: 'stored' } }, credentialTypes: [credentialType] },
		recorder,
	);
	return { ctx, recorder };
}

describe('HTTP core (httpCall) through the n8n double', () => {
	it('signs with the credential, asks for JSON and parses it', async () => {
		const { ctx } = context();
		const response = await httpCall.call(
			ctx,
			{ method: 'GET', url: `${base}/json`, qs: { fields: 'a,b', ids: [1, 2] } },
			{ credentialType: 'testApi' },
		);
		expect(response).toMatchObject({ status: 200, body: { ok: true } });
		expect(seen.at(-1)).toMatchObject({
			authorization: 'Bearer stored',
			accept: 'application/json',
			url: '/json?fields=a%2Cb&ids%5B%5D=1&ids%5B%5D=2',
		});
	});
	it('uses credentials already decrypted when given', async () => {
		const { ctx } = context();
		await httpCall.call(
			ctx,
			{ method: 'POST', url: `${base}/json`, body: { a: 1 } },
			{ credentialType: 'testApi', credentials: { token: 'cached' } },
		);
		expect(seen.at(-1)).toMatchObject({
			authorization: 'Bearer cached',
			contentType: 'application/json',
			body: '{"a":1}',
		});
	});
	it('keeps non-JSON text, gives {} for an empty body, a Buffer for a binary download', async () => {
		const { ctx } = context();
		expect((await httpCall.call(ctx, { method: 'GET', url: `${base}/text` })).body).toBe('plain words');
		expect((await httpCall.call(ctx, { method: 'DELETE', url: `${base}/empty` })).body).toEqual({});
		const file = await httpCall.call(ctx, { method: 'GET', url: `${base}/file`, binary: true });
		expect(Buffer.isBuffer(file.body)).toBe(true);
		expect([...(file.body as Buffer)]).toEqual([0, 1, 2, 255]);
	});
	it('does not throw for an HTTP error; reads Retry-After and Meta usage', async () => {
		const { ctx } = context();
		const response = await httpCall.call(ctx, {
			method: 'POST',
			url: `${base}/limited`,
			body: 'raw text',
			headers: { 'Content-Type': 'text/plain' },
		});
		expect(response).toMatchObject({
			status: 429,
			body: { error: { code: 4 } },
			retryAfterMs: 3000,
			usage: { maxPercent: 91 },
		});
		expect(seen.at(-1)).toMatchObject({ body: 'raw text', contentType: 'text/plain', authorization: undefined });
	});
	it('the double records every call', async () => {
		const { ctx, recorder } = context();
		await httpCall.call(ctx, { method: 'GET', url: `${base}/nothing` }, { credentialType: 'testApi' });
		expect(recorder.calls).toEqual([expect.objectContaining({ method: 'GET', url: `${base}/nothing`, status: 404 })]);
	});
});

describe('the n8n double: parameters as n8n resolves them', () => {
	it('uses the default of the field shown for the other values, then the fallback', () => {
		const get = parameterGetter({ nodeType, params: {} });
		expect(get('size', 0)).toBe(5);
		expect(get('note', 0)).toBe('shown');
		const b = parameterGetter({ nodeType, params: { kind: 'b' } });
		expect(b('size', 0)).toBe(9);
		expect(b('note', 0, 'fallback')).toBe('fallback');
		expect(() => b('note', 0)).toThrow('Could not get parameter "note"');
	});
	it('per-item values, resource locators, and no silent expression defaults', () => {
		const get = parameterGetter({
			nodeType,
			params: (i) => ({ size: i * 10, pick: { __rl: true, mode: 'list', value: `v${i}` } }),
		});
		expect(get('size', 2)).toBe(20);
		expect(get('pick', 1, undefined, { extractValue: true })).toBe('v1');
		expect(() => get('dynamic', 0)).toThrow('cannot evaluate the expression default');
		const perValue = parameterGetter({ nodeType, params: { size: (i: number) => i + 1 } });
		expect(perValue('size', 4)).toBe(5);
	});
	it('a poll context takes (name, fallback) and has a poll budget', () => {
		const poll = pollContext({ nodeType, params: { kind: 'b' }, budgetMs: 1234 });
		expect(poll.getNodeParameter('size', 0)).toBe(9);
		expect(poll.getPollBudgetMs()).toBe(1234);
		expect('getPollBudgetMs' in executeContext({ nodeType })).toBe(false);
	});
	it('a load-options context takes (name, fallback) and reads current parameters', () => {
		const editor = loadOptionsContext({ nodeType, params: { kind: 'b' } });
		expect(editor.getNodeParameter('size', 0)).toBe(9);
		expect(editor.getNodeParameter('missing', 'fb')).toBe('fb');
		expect(editor.getCurrentNodeParameter('kind')).toBe('b');
		expect(editor.getCurrentNodeParameter('missing')).toBeUndefined();
	});
});

describe('the n8n double: trigger contexts', () => {
	it('a hook context gives the webhook URL, static data and signed HTTP', async () => {
		const staticData = {};
		const recorder = newRecorder();
		const hooks = hookContext(
			{
				nodeType,
				webhookUrl: 'https://n8n.example/webhook/x',
				staticData,
				credentials: { testApi: { token: 't' } },
				credentialTypes: [credentialType],
			},
			recorder,
		);
		expect(hooks.getNodeWebhookUrl('default')).toBe('https://n8n.example/webhook/x');
		expect(hooks.getWorkflowStaticData('node')).toBe(staticData);
		await hooks.helpers.httpRequestWithAuthentication.call(hooks, 'testApi', { method: 'GET', url: `${base}/json` });
		expect(seen.at(-1)?.authorization).toBe('Bearer t');
		expect(recorder.calls).toHaveLength(1);
	});
	it('a webhook context hands over the raw body and records the response', () => {
		const raw = Buffer.from('{"a":1}');
		const { webhook, response } = webhookContext({ nodeType, headers: { 'Webhook-Id': 'msg_1' }, rawBody: raw });
		const request = webhook.getRequestObject() as unknown as {
			headers: Record<string, string>;
			rawBody: Buffer;
			body: unknown;
		};
		expect(request.headers['webhook-id']).toBe('msg_1');
		expect(request.rawBody).toBe(raw);
		expect(request.body).toEqual({ a: 1 });
		(webhook.getResponseObject() as unknown as { status(code: number): { json(body: unknown): void } })
			.status(401)
			.json({ error: { code: 'bad_signature' } });
		expect(response).toEqual({ status: 401, body: { error: { code: 'bad_signature' } } });
	});
});
