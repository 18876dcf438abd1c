// Template 6 imported as shipped into real n8n and published: an MCP client (plain JSON-RPC over
// n8n's streamable HTTP transport, as Claude Desktop or Cursor would speak it) lists the tools and
// searches the TiltedPrompts library through them.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IDataObject } from 'n8n-workflow';
import { startRealService, type RunningService } from '../unit/tiltedprompts/support/service';
import { startN8n, type N8nInstance } from './harness';

jest.setTimeout(600_000);

const TEMPLATE = join(__dirname, '..', '..', 'workflows', 'library-for-ai-agents.json');
const CREDENTIAL = { id: 'tpCredTplAi00001', name: 'TiltedPrompts (e2e)' };

let service: RunningService;
let n8n: N8nInstance;
let endpoint: string;
let session: string | undefined;
let nextId = 1;

async function rpc(
	method: string,
	params: IDataObject = {},
	notification = false,
): Promise<{ status: number; result?: IDataObject; error?: IDataObject }> {
	const res = await fetch(endpoint, {
		method: 'POST',
		headers: {
			'content-type': 'application/json',
			accept: 'application/json, text/event-stream',
			...(session ? { 'mcp-session-id': session } : {}),
		},
		body: JSON.stringify({ jsonrpc: '2.0', method, params, ...(notification ? {} : { id: nextId++ }) }),
	});
	session ??= res.headers.get('mcp-session-id') ?? undefined;
	const text = await res.text();
	if (notification || !text.trim()) return { status: res.status };
	// A JSON body, or server-sent events whose `data:` lines carry the JSON-RPC response.
	const payloads = text.trim().startsWith('{')
		? [text]
		: text
				.split('\n')
				.filter((line) => line.startsWith('data:'))
				.map((line) => line.slice(5).trim());
	const message = payloads.map((p) => JSON.parse(p) as IDataObject).find((m) => 'result' in m || 'error' in m) ?? {};
	return { status: res.status, result: message.result as IDataObject, error: message.error as IDataObject };
}

beforeAll(async () => {
	service = await startRealService();
	n8n = await startN8n();
	await n8n.importCredentials([
		{ ...CREDENTIAL, type: 'tiltedPromptsApi', data: { baseUrl: service.url, apiKey: service.proKey } },
	]);
	await service.db.pool.query(
		`INSERT INTO library_assets (slug, type, title, content, tags, is_premium) VALUES
		 ('captions/monsoon', 'caption', 'Monsoon chai caption', '{"text":"Rainy days call for masala chai"}', '{monsoon}', false),
		 ('guides/reels-pro', 'guide', 'Reels that sell chai', '{"text":"Premium: hook in two seconds, masala chai close-up"}', '{reels}', true),
		 ('captions/diwali', 'caption', 'Diwali lights', '{"text":"Sweets and lights"}', '{diwali}', false)`,
	);
	const template = JSON.parse(readFileSync(TEMPLATE, 'utf8')) as { nodes: IDataObject[] } & IDataObject;
	for (const node of template.nodes) if (node.credentials) node.credentials = { tiltedPromptsApi: CREDENTIAL };
	const id = await n8n.importWorkflow({ ...template, id: randomBytes(8).toString('hex') });
	const workflow = await n8n.rest<{ data: { versionId: string } }>('GET', `/rest/workflows/${id}`);
	await n8n.rest('POST', `/rest/workflows/${id}/activate`, { versionId: workflow.data.versionId });
	const trigger = template.nodes.find((n) => n.type === '@n8n/n8n-nodes-langchain.mcpTrigger')!;
	endpoint = `${n8n.url}/mcp/${String((trigger.parameters as IDataObject).path)}`;
});

afterAll(async () => {
	await n8n?.stop();
	await service?.close();
});

describe('template 6: the library as an MCP tool', () => {
	it('lists the TiltedPrompts library search as a tool', async () => {
		const until = Date.now() + 90_000;
		let init = await rpc('initialize', {
			protocolVersion: '2025-03-26',
			capabilities: {},
			clientInfo: { name: 'e2e', version: '1' },
		});
		while (init.status === 404 && Date.now() < until) {
			await new Promise((resolve) => setTimeout(resolve, 500));
			init = await rpc('initialize', {
				protocolVersion: '2025-03-26',
				capabilities: {},
				clientInfo: { name: 'e2e', version: '1' },
			});
		}
		expect(init.result).toMatchObject({ serverInfo: expect.any(Object) });
		await rpc('notifications/initialized', {}, true);

		const list = await rpc('tools/list');
		const tools = (list.result?.tools ?? []) as Array<{
			name: string;
			description: string;
			inputSchema: { properties: IDataObject };
		}>;
		expect(tools).toHaveLength(1);
		expect(tools[0].description).toMatch(/Search the TiltedPrompts content library/);
		expect(Object.keys(tools[0].inputSchema.properties)).toContain('search_text');
	});

	it('answers a search with the matching assets, premium ones included for a pro key', async () => {
		const list = await rpc('tools/list');
		const [tool] = (list.result?.tools ?? []) as Array<{ name: string }>;
		const call = await rpc('tools/call', { name: tool.name, arguments: { search_text: 'masala chai' } });
		expect(call.error).toBeUndefined();
		const text = JSON.stringify(call.result);
		expect(text).toContain('Monsoon chai caption');
		expect(text).toContain('Reels that sell chai');
		expect(text).not.toContain('Diwali lights');
	});
});
