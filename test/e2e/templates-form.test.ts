// Template 3, the staff campaign form, imported as shipped into real n8n and published; a member of
// staff fills it in over HTTP the way the browser does (multipart POST, then the follow-up pages on
// /form-waiting/<execution>), chooses one of the account's approved templates, fills in exactly what
// that template needs, gets the test message, confirms, and reads the report page.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IDataObject } from 'n8n-workflow';
import {
	DEFAULT_PHONE_NUMBER_ID,
	DEFAULT_WABA_ID,
	startGraphStandIn,
	whatsapp,
	type GraphStandIn,
	type WhatsAppState,
} from '../../sandbox';
import type { TemplateDefinition } from '../../sandbox/whatsapp';
import { startRealService, type RunningService } from '../unit/tiltedprompts/support/service';
import { screenshotOf, startChromium, waitFor as waitInBrowser } from './browser';
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
	components: [
		{ type: 'BODY', text: 'Hi {{1}}, our Diwali sale starts today!', example: { body_text: [['Asha']] } },
		{ type: 'FOOTER', text: 'Reply STOP to opt out' },
	],
};
/** (a) Text only: the form asks for no values. */
const STORE_OPEN: TemplateDefinition = {
	id: '900000000000089',
	name: 'store_open',
	language: 'en',
	status: 'APPROVED',
	category: 'UTILITY',
	components: [{ type: 'BODY', text: 'Our store is open today from 10 am to 9 pm.' }],
};
/** (b) An image header, two named body parameters and a URL button with a dynamic suffix. */
const FESTIVE: TemplateDefinition = {
	id: '900000000000090',
	name: 'festive_drop',
	language: 'en',
	status: 'APPROVED',
	category: 'MARKETING',
	parameter_format: 'NAMED',
	components: [
		{ type: 'HEADER', format: 'IMAGE', example: { header_handle: ['4::aW1hZ2UvanBlZw==:ARb'] } },
		{
			type: 'BODY',
			text: 'Hi {{first_name}}, {{product}} is back in stock!',
			example: {
				body_text_named_params: [
					{ param_name: 'first_name', example: 'Asha' },
					{ param_name: 'product', example: 'Masala chai' },
				],
			},
		},
		{
			type: 'BUTTONS',
			buttons: [
				{
					type: 'URL',
					text: 'Buy now',
					url: 'https://shop.example.com/p/{{1}}',
					example: ['https://shop.example.com/p/masala-chai'],
				},
			],
		},
	],
};
/** (c) A media-card carousel (Meta's shape: a bubble BODY, then CAROUSEL with cards of HEADER, BODY, BUTTONS). */
const carouselCard = (n: number) => ({
	components: [
		{ type: 'HEADER', format: 'IMAGE', example: { header_handle: [`4::card${n}`] } },
		{ type: 'BODY', text: `Pick ${n} at {{1}}`, example: { body_text: [['₹199']] } },
		{
			type: 'BUTTONS',
			buttons: [
				{
					type: 'URL',
					text: 'Shop',
					url: 'https://shop.example.com/{{1}}',
					example: ['https://shop.example.com/chai'],
				},
			],
		},
	],
});
const PICKS: TemplateDefinition = {
	id: '900000000000091',
	name: 'weekly_picks',
	language: 'en',
	status: 'APPROVED',
	category: 'MARKETING',
	components: [
		{ type: 'BODY', text: 'Our picks for you this week, {{1}}', example: { body_text: [['Asha']] } },
		{ type: 'CAROUSEL', cards: [carouselCard(1), carouselCard(2)] },
	],
};
const DIWALI_OPTION = 'diwali_sale (en) · MARKETING · 1 body value';
const STAFF = '919800055555';
const VIP = ['919800011111', '919800022222', '919800033333'];

let service: RunningService;
let graph: GraphStandIn;
let n8n: N8nInstance;
let formUrl: string;

function multipart(fields: Record<string, string>): { body: string; type: string } {
	const boundary = `----e2e${randomBytes(8).toString('hex')}`;
	const parts = Object.entries(fields).map(
		([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
	);
	return { body: `${parts.join('')}--${boundary}--\r\n`, type: `multipart/form-data; boundary=${boundary}` };
}

async function submit(url: string, fields: Record<string, string>): Promise<{ status: number; text: string }> {
	const { body, type } = multipart(fields);
	const res = await fetch(url, {
		method: 'POST',
		headers: { 'content-type': type },
		body,
		redirect: 'manual',
		signal: AbortSignal.timeout(60_000),
	});
	return { status: res.status, text: await res.text() };
}

/** Progress of the long flow on stderr (shown live, unlike console output). */
function step(message: string): void {
	process.stderr.write(`[template 3] ${message}\n`);
}

async function waitFor<T>(
	probe: () => Promise<T | undefined> | T | undefined,
	what: string,
	timeoutMs = 90_000,
): Promise<T> {
	const until = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (value !== undefined) return value;
		if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 300));
	}
}

const seen = new Set<string>();

/** The execution the latest form submission started (a new one waiting for its next page). */
async function waitingExecution(): Promise<string> {
	const id = await waitFor(async () => {
		const list = await n8n.rest<{ data: { results?: Array<{ id: string; status: string }> } }>(
			'GET',
			'/rest/executions?limit=10',
		);
		return (list.data.results ?? []).find((e) => e.status === 'waiting' && !seen.has(e.id))?.id;
	}, 'the execution to wait for the confirmation page');
	seen.add(id);
	return id;
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
	graph = await startGraphStandIn({
		validTokens: [TOKEN_WA],
		modules: [whatsapp({ templates: [DIWALI, STORE_OPEN, FESTIVE, PICKS] })],
	});
	n8n = await startN8n();
	await n8n.importCredentials([
		{
			...CREDENTIALS.tiltedPromptsApi,
			type: 'tiltedPromptsApi',
			data: { baseUrl: service.url, apiKey: service.proKey },
		},
		{
			...CREDENTIALS.whatsAppCloudApi,
			type: 'whatsAppCloudApi',
			data: { accessToken: TOKEN_WA, businessAccountId: DEFAULT_WABA_ID, apiVersion: 'v23.0', baseUrl: graph.url },
		},
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
		if (references)
			node.credentials = Object.fromEntries(Object.keys(references).map((type) => [type, CREDENTIALS[type]]));
		if (node.type === 'n8n-nodes-tiltedprompts.whatsApp')
			(node.parameters as IDataObject).phoneNumberId = { __rl: true, mode: 'id', value: DEFAULT_PHONE_NUMBER_ID };
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

const ARTIFACTS = join(__dirname, '..', '..', '.artifacts');

/**
 * A headless-Chromium screenshot of a page staff see, kept in .artifacts/ (gitignored). Loading a
 * page submits nothing. Asynchronous: the service under test runs in this process.
 */
async function screenshot(url: string, name: string): Promise<void> {
	mkdirSync(ARTIFACTS, { recursive: true });
	const file = join(ARTIFACTS, name);
	writeFileSync(file, await screenshotOf(url));
	expect(statSync(file).size).toBeGreaterThan(1000);
	step(`screenshot ${file}`);
}

/**
 * The template step as staff see it with `option` chosen, and with the list of templates open (a
 * native dropdown is not drawn open in a screenshot: the same options are shown as a list box).
 */
async function templateStepScreenshots(url: string, option: string, name: string): Promise<void> {
	const browser = await startChromium('1000,1000');
	try {
		const page = await browser.page();
		await page.send('Page.navigate', { url });
		await waitInBrowser(
			async () => (await page.evaluate<boolean>("!!document.querySelector('select')")) || undefined,
			'the template step in Chromium',
			60_000,
		);
		const shoot = async (file: string, script: string) => {
			expect(await page.evaluate<boolean>(script)).toBe(true);
			mkdirSync(ARTIFACTS, { recursive: true });
			writeFileSync(join(ARTIFACTS, file), await page.screenshot());
			expect(statSync(join(ARTIFACTS, file)).size).toBeGreaterThan(1000);
			step(`screenshot ${join(ARTIFACTS, file)}`);
		};
		const select = "document.querySelector('select')";
		await shoot(
			name,
			`(${select}.selectedIndex = [...${select}.options].findIndex((o) => o.textContent.trim() === ${JSON.stringify(option)})) >= 0`,
		);
		await shoot(name.replace(/\.png$/, '-list.png'), `(${select}.size = ${select}.options.length, true)`);
		page.close();
	} finally {
		await browser.stop();
	}
}

/** The page the form shows next, as its script finds it: wait until the run is no longer running, then load it. */
async function nextPage(url: string): Promise<string> {
	const status = new URL(url);
	status.pathname += '/n8n-execution-status';
	await waitFor(async () => {
		const text = await (await fetch(status, { signal: AbortSignal.timeout(30_000) })).text();
		step(`execution status: ${text.slice(0, 80)}`);
		return text.includes('running') ? undefined : true;
	}, 'the run to reach its next page');
	return await (await fetch(url, { signal: AbortSignal.timeout(60_000) })).text();
}

/** What the completion page's script does once shown: resume the run (nodes after the page then run). */
async function leaveCompletionPage(url: string): Promise<void> {
	const signature = new URL(url).searchParams.get('signature');
	await fetch(`${url.split('?')[0]}${signature ? `?signature=${encodeURIComponent(signature)}` : ''}`, {
		method: 'POST',
		body: '{}',
		signal: AbortSignal.timeout(30_000),
	});
}

async function executionStatus(id: string): Promise<string> {
	return await waitFor(async () => {
		const detail = await n8n.rest<{ data: { status: string } }>('GET', `/rest/executions/${id}`);
		return ['success', 'error', 'crashed', 'canceled'].includes(detail.data.status) ? detail.data.status : undefined;
	}, 'the execution to end');
}

const text = (html: string) =>
	html
		.replace(/<[^>]+>/g, ' ')
		.replace(/&#x27;|&#39;/g, "'")
		.replace(/&quot;/g, '"')
		.replace(/&amp;/g, '&')
		.replace(/\s+/g, ' ');

async function campaignOf(name: string): Promise<IDataObject> {
	const { rows } = await service.db.pool.query<{ id: string }>(
		'SELECT id FROM campaigns WHERE name = $1 ORDER BY created_at DESC LIMIT 1',
		[name],
	);
	const res = await fetch(`${service.url}/api/v1/campaigns/${rows[0].id}`, {
		headers: { authorization: `Bearer ${service.proKey}` },
	});
	return (await res.json()) as IDataObject;
}

/**
 * Page 1 (campaign name, audience tag, test number), then page 2 (the template, one of the
 * account's approved ones): returns the run's waiting-page URL and the text of page 3.
 */
async function startCampaign(
	campaign: string,
	option: string,
	screenshotName?: string,
	tag = 'vip',
): Promise<{ execution: string; url: string; valuesPage: string }> {
	const first = await submit(formUrl, { 'field-0': campaign, 'field-1': tag, 'field-2': '+91 98000 55555' });
	step(`first submit ${first.status}: ${first.text.slice(0, 200)}`);
	expect(first.status).toBeLessThan(400);
	const execution = await waitingExecution();
	const url = await waitingPageUrl(execution, first.text);
	const choosePage = text(await nextPage(url));
	expect(choosePage).toContain('Choose a template');
	expect(choosePage).toContain(option);
	expect(choosePage).not.toContain('paused_promo');
	if (screenshotName) await templateStepScreenshots(url, option, screenshotName);
	expect((await submit(url, { 'field-0': option })).status).toBeLessThan(400);
	return { execution, url, valuesPage: text(await nextPage(url)) };
}

/** Page 3 (the template's values, in page order); waits for the test message; returns the next page's text. */
async function fillValues(url: string, values: string[]): Promise<string> {
	const wa = graph.state.whatsapp as WhatsAppState;
	const before = wa.messages.length;
	const fields = Object.fromEntries(values.map((value, i) => [`field-${i}`, value]));
	expect((await submit(url, fields)).status).toBeLessThan(400);
	const page = text(await nextPage(url));
	if (page.includes('Check your phone')) expect(wa.messages.length).toBe(before + 1);
	return page;
}

/** Confirms on the "Check your phone" page; returns the final page's text. */
async function confirmAndFinish(url: string, execution: string): Promise<string> {
	expect((await submit(url, { 'field-0': 'Yes, send the campaign' })).status).toBeLessThan(400);
	const outcome = text(await nextPage(url));
	await leaveCompletionPage(url);
	step(`outcome: ${outcome.slice(0, 200)}`);
	expect(await executionStatus(execution)).toBe(outcome.includes('nothing was sent') ? 'error' : 'success');
	return outcome;
}

/**
 * A whole campaign with one template: the values page asks for `labels`, gets `values`, the test
 * goes out, staff confirm and every VIP customer gets it. Returns the customers' messages.
 */
async function campaignWith(
	campaign: string,
	option: string,
	labels: string[],
	values: string[],
): Promise<Array<{ to: string; template: IDataObject }>> {
	const from = (graph.state.whatsapp as WhatsAppState).messages.length;
	const { execution, url, valuesPage } = await startCampaign(campaign, option);
	step(`values page: ${valuesPage.slice(valuesPage.indexOf('Fill in'), valuesPage.indexOf('Fill in') + 400)}`);
	for (const label of labels) expect(valuesPage).toContain(label);
	expect(await fillValues(url, values)).toContain('Check your phone');
	expect(await confirmAndFinish(url, execution)).toContain(`Sent to ${VIP.length} of ${VIP.length} customers`);
	const sent = campaignTemplates(from);
	expect(sent.map((m) => m.to).sort()).toEqual([...VIP].sort());
	return sent;
}

/** The template component of each message sent to the customers (not the test number) since `from`. */
function campaignTemplates(from: number): Array<{ to: string; template: IDataObject }> {
	const wa = graph.state.whatsapp as WhatsAppState;
	return wa.messages
		.slice(from)
		.filter((m) => m.to !== STAFF)
		.map((m) => ({ to: m.to, template: m.body.template as IDataObject }));
}

describe('template 3: staff campaign form', () => {
	it('sends a test message first, then, once confirmed, the campaign to opted-in contacts with the tag, and shows what happened with a report link', async () => {
		const page = await waitFor(async () => {
			const res = await fetch(formUrl);
			return res.status === 200 ? await res.text() : undefined;
		}, 'the form to be published');
		expect(page).toContain('New WhatsApp campaign');
		await screenshot(formUrl, 'staff-form.png');
		const wa = graph.state.whatsapp as WhatsAppState;

		const { execution, url, valuesPage } = await startCampaign('Diwali VIP', DIWALI_OPTION, 'staff-form-template.png');
		step(`values page: ${valuesPage.slice(0, 300)}`);
		expect(valuesPage).toContain('Fill in diwali_sale');
		expect(valuesPage).toContain('Hi {{1}}, our Diwali sale starts today!');
		expect(valuesPage).toContain('Body {{1}}');
		expect(wa.messages).toHaveLength(0);
		await screenshot(url, 'staff-form-values.png');

		const confirmPage = await fillValues(url, ['{{name}}']);
		expect(wa.messages).toHaveLength(1);
		expect(wa.messages[0]).toMatchObject({ to: STAFF });
		expect((wa.messages[0].body.template as IDataObject).components).toEqual([
			{ type: 'body', parameters: [{ type: 'text', text: 'Test' }] },
		]);
		expect(confirmPage).toContain('Check your phone');
		expect(confirmPage).toContain('Yes, send the campaign');

		expect((await submit(url, { 'field-0': 'Yes, send the campaign' })).status).toBeLessThan(400);
		await waitFor(() => (wa.messages.length >= 1 + VIP.length ? true : undefined), 'the campaign messages');
		const report = text(await nextPage(url));
		expect(report).toContain(`Sent to ${VIP.length} of ${VIP.length} customers`);
		expect(report).not.toContain('/api/v1');
		const link = /https?:\/\/\S+\/reports\/[0-9a-f]{64}/.exec(report)?.[0];
		expect(link).toBeDefined();
		const reportPage = text(await (await fetch(link!)).text());
		expect(reportPage).toContain(`Sent to ${VIP.length} of ${VIP.length} customers`);
		expect(reportPage).toMatch(/Customers matching the audience 4 /);
		await screenshot(link!, 'staff-report.png');

		const sent = campaignTemplates(0);
		expect(sent.map((m) => m.to).sort()).toEqual([...VIP].sort());
		expect(sent.map((m) => m.template.components)).toContainEqual([
			{ type: 'body', parameters: [{ type: 'text', text: 'Asha' }] },
		]);
		await leaveCompletionPage(url);
		expect(await executionStatus(execution)).toBe('success');
	});

	it('(a) a text-only template: the form asks for no values, and the messages carry no components', async () => {
		const sent = await campaignWith(
			'Store open',
			'store_open (en) · UTILITY · text only',
			['This template has no values to fill in'],
			[],
		);
		for (const m of sent) expect(m.template).toEqual({ name: 'store_open', language: { code: 'en' } });
	});

	it('(b) an image header, two named body values and a URL button: asked for by name, each customer gets their own name', async () => {
		const sent = await campaignWith(
			'Festive drop',
			'festive_drop (en) · MARKETING · image header, 2 body values, URL button',
			[
				'Header image URL',
				'Body {{first_name}}',
				'Body {{product}}',
				'Button: button "Buy now": end of the link https://shop.example.com/p/…',
			],
			['https://cdn.example.com/chai.jpg', '{{name}}', 'Masala chai', 'masala-chai'],
		);
		const toAsha = sent.find((m) => m.to === VIP[0])!;
		expect(toAsha.template.components).toEqual([
			{ type: 'header', parameters: [{ type: 'image', image: { link: 'https://cdn.example.com/chai.jpg' } }] },
			{
				type: 'body',
				parameters: [
					{ type: 'text', text: 'Asha', parameter_name: 'first_name' },
					{ type: 'text', text: 'Masala chai', parameter_name: 'product' },
				],
			},
			{ type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: 'masala-chai' }] },
		]);
	});

	it("(c) a carousel: the bubble value, then each card's image, value and button link", async () => {
		const sent = await campaignWith(
			'Weekly picks',
			'weekly_picks (en) · MARKETING · 1 body value, carousel of 2 cards',
			['Body {{1}}', 'Card 1 image URL', 'Card 1 {{1}}', 'Card 2 image URL', 'Card 2 button "Shop"'],
			[
				'{{name}}',
				'https://cdn.example.com/1.jpg',
				'₹199',
				'masala-chai',
				'https://cdn.example.com/2.jpg',
				'₹249',
				'ginger-chai',
			],
		);
		const toRavi = sent.find((m) => m.to === VIP[1])!;
		const components = toRavi.template.components as IDataObject[];
		expect(components[0]).toEqual({ type: 'body', parameters: [{ type: 'text', text: 'Ravi' }] });
		expect(components[1]).toMatchObject({
			type: 'carousel',
			cards: [
				{
					card_index: 0,
					components: [
						{ type: 'header', parameters: [{ type: 'image', image: { link: 'https://cdn.example.com/1.jpg' } }] },
						{ type: 'body', parameters: [{ type: 'text', text: '₹199' }] },
						{ type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: 'masala-chai' }] },
					],
				},
				{ card_index: 1 },
			],
		});
	});

	it('a failed test message offers no send: it says why and lets staff choose and fill in the template again', async () => {
		const wa = graph.state.whatsapp as WhatsAppState;
		const before = wa.messages.length;
		const { url } = await startCampaign(
			'Typo',
			'festive_drop (en) · MARKETING · image header, 2 body values, URL button',
		);
		const failedPage = await fillValues(url, ['cdn.example.com/chai.jpg', '{{name}}', 'Masala chai', 'masala-chai']);
		step(`retry page: ${failedPage.slice(0, 300)}`);
		expect(failedPage).toContain('The test message was not sent');
		expect(failedPage).toContain('festive_drop');
		expect(failedPage).toContain('must be an http(s) URL, got "cdn.example.com/chai.jpg"');
		expect(failedPage).toContain('Nothing was sent to customers');
		expect(failedPage).not.toContain('send the campaign');
		expect(wa.messages).toHaveLength(before);
		await screenshot(url, 'staff-form-test-failed.png');

		expect((await submit(url, { 'field-0': '+91 98000 55555' })).status).toBeLessThan(400);
		expect(text(await nextPage(url))).toContain('Choose a template');
		expect((await submit(url, { 'field-0': DIWALI_OPTION })).status).toBeLessThan(400);
		expect(text(await nextPage(url))).toContain('Body {{1}}');
		const confirmPage = await fillValues(url, ['{{name}}']);
		expect(confirmPage).toContain('Yes, send the campaign');
		expect(wa.messages).toHaveLength(before + 1);
		expect((await submit(url, { 'field-0': 'No, cancel' })).status).toBeLessThan(400);
		expect(text(await nextPage(url))).toContain('Nothing was sent to customers');
		await leaveCompletionPage(url);
		expect(wa.messages).toHaveLength(before + 1);
	});

	it('a run where WhatsApp sends nothing ends with "Nothing was sent", a failed execution and a failed campaign; after the fix a new run sends to each customer once', async () => {
		const wa = graph.state.whatsapp as WhatsAppState;
		const diwali = wa.templates.find((t) => t.name === 'diwali_sale')!;
		const sentBefore = wa.messages.filter((m) => m.to !== STAFF).length;
		const { execution, url } = await startCampaign('Paused run', DIWALI_OPTION);
		expect(await fillValues(url, ['{{name}}'])).toContain('Yes, send the campaign');
		diwali.status = 'PAUSED'; // Meta paused the template between the test and the campaign.
		try {
			const outcome = await confirmAndFinish(url, execution);
			expect(outcome).toContain('nothing was sent');
			expect(outcome).toMatch(/Nothing was sent: .*PAUSED/);
			const campaign = await campaignOf('Paused run');
			expect(campaign).toMatchObject({
				status: 'failed',
				counts: expect.objectContaining({ claimed: 0, pending: VIP.length, sent: 0 }),
			});
		} finally {
			diwali.status = 'APPROVED';
		}
		expect(wa.messages.filter((m) => m.to !== STAFF)).toHaveLength(sentBefore);

		const again = await startCampaign('Fixed run', DIWALI_OPTION);
		await fillValues(again.url, ['{{name}}']);
		expect(await confirmAndFinish(again.url, again.execution)).toContain(
			`Sent to ${VIP.length} of ${VIP.length} customers`,
		);
		const fixed = wa.messages.filter((m) => m.to !== STAFF).slice(sentBefore);
		expect(fixed.map((m) => m.to).sort()).toEqual([...VIP].sort());
	});

	it('a token refused mid-campaign: sending stops, the page says in plain words what happened, what was sent and what to do; resuming after the renewal sends to the rest, nobody twice', async () => {
		const wa = graph.state.whatsapp as WhatsAppState;
		const bulk = Array.from({ length: 120 }, (_, i) => `9198100${String(i).padStart(5, '0')}`);
		const imported = await fetch(`${service.url}/api/v1/contacts`, {
			method: 'POST',
			headers: { authorization: `Bearer ${service.proKey}`, 'content-type': 'application/json' },
			body: JSON.stringify({
				contacts: bulk.map((wa_id, i) => ({ wa_id, name: `Customer ${i}`, tags: ['bulk'], consent: 'opted_in' })),
			}),
		});
		expect(imported.status).toBe(200);
		const from = wa.messages.length;
		const { execution, url } = await startCampaign(
			'Token renewal',
			'store_open (en) · UTILITY · text only',
			undefined,
			'bulk',
		);
		expect(await fillValues(url, [])).toContain('Check your phone');
		// The access token is revoked after the first batch of 50 (claims come in batches of 50).
		graph.inject({
			match: { route: 'whatsapp.messages' },
			skip: 50,
			times: Infinity,
			error: { code: 190, subcode: 463, status: 401 },
		});
		try {
			expect((await submit(url, { 'field-0': 'Yes, send the campaign' })).status).toBeLessThan(400);
			const page = text(await nextPage(url));
			step(
				`token page: ${page.slice(page.indexOf('The WhatsApp access token'), page.indexOf('The WhatsApp access token') + 900)}`,
			);
			expect(page).toContain('The WhatsApp access token expired or was revoked');
			expect(page).toContain('Meta error 190');
			expect(page).toContain('So far: Sent to 50 of 120 customers');
			expect(page).toContain('nobody gets the message twice');
			expect(page).toContain('paste a new access token');
			// The WhatsApp node says which messages went out: nobody is left "maybe sent".
			expect(page).toContain('Every customer it did not go to is kept on the list');
			expect(page).not.toContain('may have received');
			expect(page).toContain('I renewed the token: resume sending');
			expect(page).not.toContain('/api/v1');
			await screenshot(url, 'staff-token-expired.png');
			expect(await campaignOf('Token renewal')).toMatchObject({ status: 'paused' });
		} finally {
			graph.clearInjections(); // The token was renewed.
		}
		expect((await submit(url, {})).status).toBeLessThan(400);
		const outcome = text(await nextPage(url));
		step(`after resume: ${outcome.slice(outcome.indexOf('Token renewal'), outcome.indexOf('Token renewal') + 300)}`);
		await leaveCompletionPage(url);
		expect(outcome).toContain('Sent to 120 of 120 customers');
		expect(await executionStatus(execution)).toBe('success');
		// Every customer got it exactly once: the batch refused with 190 was given back, not stranded.
		const sent = campaignTemplates(from).map((m) => m.to);
		expect(sent).toHaveLength(120);
		expect(new Set(sent).size).toBe(120);
		expect([...sent].sort()).toEqual([...bulk].sort());
		expect(await campaignOf('Token renewal')).toMatchObject({
			counts: expect.objectContaining({ claimed: 0, pending: 0, sent: 120 }),
		});
	});
});
