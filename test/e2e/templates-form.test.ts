// Template 3, the staff campaign form, imported as shipped into real n8n and published; a member of
// staff fills it in over HTTP the way the browser does (multipart POST, then the follow-up pages on
// /form-waiting/<execution>), gets the test message, confirms, and reads the report page.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IDataObject } from 'n8n-workflow';
import { DEFAULT_PHONE_NUMBER_ID, DEFAULT_WABA_ID, startGraphStandIn, whatsapp, type GraphStandIn, type WhatsAppState } from '../../sandbox';
import type { TemplateDefinition } from '../../sandbox/whatsapp';
import { startRealService, type RunningService } from '../unit/tiltedprompts/support/service';
import { startN8n, type N8nInstance } from './harness';

jest.setTimeout(900_000);

const TOKEN_WA = `wa-${randomBytes(8).toString('hex')}`;
const TEMPLATE = join(__dirname, '..', '..', 'workflows', 'staff-campaign-form.json');
const CREDENTIALS: Record<string, { id: string; name: string }> = {
	tiltedPromptsApi: { id: 'tpCredTplForm001', name: 'TiltedPrompts (e2e)' },
	whatsAppCloudApi: { id: 'waCredTplForm001', name: 'WhatsApp (e2e)' },
};
const DIWALI: TemplateDefinition = {
	id: '900000000000088',
	name: 'diwali_sale',
	language: 'en',
	status: 'APPROVED',
	category: 'MARKETING',
	parameter_format: 'POSITIONAL',
	components: [{ type: 'BODY', text: 'Hi {{1}}, our Diwali sale starts today!', example: { body_text: [['Asha']] } }, { type: 'FOOTER', text: 'Reply STOP to opt out' }],
};
const STAFF = '919800055555';
const VIP = ['919800011111', '919800022222', '919800033333'];

let service: RunningService;
let graph: GraphStandIn;
let n8n: N8nInstance;
let formUrl: string;

function multipart(fields: Record<string, string>): { body: string; type: string } {
	const boundary = `----e2e${randomBytes(8).toString('hex')}`;
	const parts = Object.entries(fields).map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
	return { body: `${parts.join('')}--${boundary}--\r\n`, type: `multipart/form-data; boundary=${boundary}` };
}

async function submit(url: string, fields: Record<string, string>): Promise<{ status: number; text: string }> {
	const { body, type } = multipart(fields);
	const res = await fetch(url, { method: 'POST', headers: { 'content-type': type }, body, redirect: 'manual', signal: AbortSignal.timeout(60_000) });
	return { status: res.status, text: await res.text() };
}

/** Progress of the long flow on stderr (shown live, unlike console output). */
function step(message: string): void {
	process.stderr.write(`[template 3] ${message}\n`);
}

async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 90_000): Promise<T> {
	const until = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (value !== undefined) return value;
		if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 300));
	}
}

async function waitingExecution(): Promise<string> {
	return await waitFor(async () => {
		const list = await n8n.rest<{ data: { results?: Array<{ id: string; status: string }> } }>('GET', '/rest/executions?limit=10');
		return (list.data.results ?? []).find((e) => e.status === 'waiting')?.id;
	}, 'the execution to wait for the confirmation page');
}

/**
 * The next page's URL, as the browser gets it: from the submission's answer when it names one,
 * otherwise `/form-waiting/<execution>?signature=<resume token>` (n8n 2.x signs waiting URLs).
 */
async function waitingPageUrl(execution: string, answer: string): Promise<string> {
	const named = /(https?:\/\/[^"'\s]+)?\/form-waiting\/[^"'\s<]+/.exec(answer)?.[0];
	if (named) return named.startsWith('http') ? named : `${n8n.url}${named}`;
	const detail = await n8n.rest<{ data: { data?: string } }>('GET', `/rest/executions/${execution}`);
	const { parse } = require('flatted') as { parse(text: string): { resumeToken?: string } };
	const token = parse(String(detail.data.data ?? '{}')).resumeToken;
	return `${n8n.url}/form-waiting/${execution}${token ? `?signature=${encodeURIComponent(token)}` : ''}`;
}

beforeAll(async () => {
	service = await startRealService();
	graph = await startGraphStandIn({ validTokens: [TOKEN_WA], modules: [whatsapp({ templates: [DIWALI] })] });
	n8n = await startN8n();
	await n8n.importCredentials([
		{ ...CREDENTIALS.tiltedPromptsApi, type: 'tiltedPromptsApi', data: { baseUrl: service.url, apiKey: service.proKey } },
		{ ...CREDENTIALS.whatsAppCloudApi, type: 'whatsAppCloudApi', data: { accessToken: TOKEN_WA, businessAccountId: DEFAULT_WABA_ID, apiVersion: 'v23.0', baseUrl: graph.url } },
	]);
	const contacts = [
		...VIP.map((wa_id, i) => ({ wa_id, name: ['Asha', 'Ravi', 'Meena'][i], tags: ['vip'], consent: 'opted_in' })),
		{ wa_id: '919800044444', name: 'Opted out', tags: ['vip'], consent: 'opted_out' },
		{ wa_id: '919800066666', name: 'Other', tags: ['wholesale'], consent: 'opted_in' },
	];
	const imported = await fetch(`${service.url}/api/v1/contacts`, {
		method: 'POST',
		headers: { authorization: `Bearer ${service.proKey}`, 'content-type': 'application/json' },
		body: JSON.stringify({ contacts }),
	});
	expect(imported.status).toBe(200);

	const template = JSON.parse(readFileSync(TEMPLATE, 'utf8')) as { nodes: IDataObject[] } & IDataObject;
	for (const node of template.nodes) {
		const references = node.credentials as Record<string, unknown> | undefined;
		if (references) node.credentials = Object.fromEntries(Object.keys(references).map((type) => [type, CREDENTIALS[type]]));
		if (node.type === 'n8n-nodes-tiltedprompts.whatsApp') (node.parameters as IDataObject).phoneNumberId = { __rl: true, mode: 'id', value: DEFAULT_PHONE_NUMBER_ID };
	}
	const id = await n8n.importWorkflow({ ...template, id: randomBytes(8).toString('hex') });
	const workflow = await n8n.rest<{ data: { versionId: string } }>('GET', `/rest/workflows/${id}`);
	await n8n.rest('POST', `/rest/workflows/${id}/activate`, { versionId: workflow.data.versionId });
	const trigger = template.nodes.find((n) => n.type === 'n8n-nodes-base.formTrigger')!;
	formUrl = `${n8n.url}/form/${String(trigger.webhookId)}`;
});

afterAll(async () => {
	await n8n?.stop();
	await graph?.close();
	await service?.close();
});

describe('template 3: staff campaign form', () => {
	it('sends a test message first, then, once confirmed, the campaign to opted-in contacts with the tag, and shows the report', async () => {
		const page = await waitFor(async () => {
			const res = await fetch(formUrl);
			return res.status === 200 ? await res.text() : undefined;
		}, 'the form to be published');
		expect(page).toContain('New WhatsApp campaign');

		const first = await submit(formUrl, { 'field-0': 'Diwali VIP', 'field-1': 'diwali_sale', 'field-2': 'en', 'field-3': 'vip', 'field-4': '+91 98000 55555' });
		step(`first submit ${first.status}: ${first.text.slice(0, 200)}`);
		expect(first.status).toBeLessThan(400);
		const wa = graph.state.whatsapp as WhatsAppState;
		await waitFor(() => (wa.messages.some((m) => m.to === STAFF) ? true : undefined), 'the test message');
		expect(wa.messages).toHaveLength(1);

		const execution = await waitingExecution();
		const confirmUrl = await waitingPageUrl(execution, first.text);
		step(`confirm page ${confirmUrl}`);
		const confirmPage = await (await fetch(confirmUrl, { signal: AbortSignal.timeout(30_000) })).text();
		expect(confirmPage).toContain('Check your phone');

		const confirmed = await submit(confirmUrl, { 'field-0': 'Yes, send the campaign' });
		step(`confirm submit ${confirmed.status}: ${confirmed.text.replace(/\s+/g, ' ').slice(0, 200)}`);
		expect(confirmed.status).toBeLessThan(400);
		await waitFor(() => (wa.messages.length >= 1 + VIP.length ? true : undefined), 'the campaign messages');
		// As the form page's script does: poll the execution status, then load the next page (a page
		// request while the execution is still running gets no answer from n8n).
		const status = new URL(confirmUrl);
		status.pathname += '/n8n-execution-status';
		await waitFor(async () => {
			const text = await (await fetch(status, { signal: AbortSignal.timeout(30_000) })).text();
			step(`execution status: ${text.slice(0, 80)}`);
			return text.includes('running') ? undefined : true;
		}, 'the campaign run to finish');
		const report = await (await fetch(confirmUrl, { signal: AbortSignal.timeout(60_000) })).text();
		expect(report).toContain(`Sent: ${VIP.length}`);

		const campaignMessages = wa.messages.filter((m) => m.to !== STAFF);
		expect(campaignMessages.map((m) => m.to).sort()).toEqual([...VIP].sort());
		expect(campaignMessages.map((m) => ((m.body.template as IDataObject).components as IDataObject[])[0])).toContainEqual({ type: 'body', parameters: [{ type: 'text', text: 'Asha' }] });
	});
});
