// Template 1, "Instagram post → WhatsApp broadcast", imported as shipped into real n8n and run by
// its own Instagram Trigger against the Graph API stand-in, with the real service keeping consent
// and the campaign ledger. What a shop owner would check: who got the WhatsApp message, with which
// template and parameters, and that nobody got it twice or after saying STOP — including a customer
// Meta knows only by username and business-scoped user ID (no phone number ever appears).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IDataObject } from 'n8n-workflow';
import {
	DEFAULT_PHONE_NUMBER_ID,
	igTimestamp,
	instagram,
	startGraphStandIn,
	whatsapp,
	type GraphStandIn,
	type InstagramState,
	type WhatsAppState,
	webhooks,
} from '../../sandbox';
import { startRealService, type RunningService } from '../unit/tiltedprompts/support/service';
import { startN8n, type N8nInstance } from './harness';
import {
	NEW_POST_ALERT,
	seedAudience,
	templateCredentials,
	whatsappText,
	type TemplateCredentialIds,
} from './template-scenarios';

jest.setTimeout(900_000);

const TOKEN_WA = `wa-${randomBytes(8).toString('hex')}`;
const TOKEN_IG = `ig-${randomBytes(8).toString('hex')}`;
const TEMPLATE_FILE = join(__dirname, '..', '..', 'workflows', 'instagram-post-to-whatsapp-broadcast.json');

const CREDENTIALS: TemplateCredentialIds = {
	tiltedPromptsApi: { id: 'tpCredTplBroad01', name: 'TiltedPrompts (e2e)' },
	whatsAppCloudApi: { id: 'waCredTplBroad01', name: 'WhatsApp (e2e)' },
	instagramApi: { id: 'igCredTplBroad01', name: 'Instagram (e2e)' },
};

// 60 opted-in customers (more than one claim batch of 50), plus people who must never be messaged.
const CUSTOMERS = Array.from({ length: 60 }, (_, i) => ({
	wa_id: `9198000${String(10000 + i)}`,
	name: `Customer ${i + 1}`,
}));
const OPTED_OUT = '919899900001';
const UNKNOWN = '919899900002';
const OTHER_TAG = '919899900003';
/** Says STOP while the first batch is being sent: the last phone number claimed, so still pending at that moment. */
const STOPPER = CUSTOMERS[CUSTOMERS.length - 1].wa_id;
/** A username customer: Meta withholds the phone number; the BSUID is all we ever see. */
const USERNAME_CUSTOMER = { user_id: 'IN.1648738043044942', username: 'asha.sweets', name: 'Asha' };

let service: RunningService;
let graph: GraphStandIn;
let n8n: N8nInstance;

function wa(): WhatsAppState {
	return graph.state.whatsapp as WhatsAppState;
}

async function importTemplate(patch: (node: IDataObject) => void): Promise<string> {
	const template = JSON.parse(readFileSync(TEMPLATE_FILE, 'utf8')) as { nodes: IDataObject[] } & IDataObject;
	for (const node of template.nodes) {
		const references = node.credentials as Record<string, unknown> | undefined;
		if (references)
			node.credentials = Object.fromEntries(
				Object.keys(references).map((type) => [type, CREDENTIALS[type as keyof TemplateCredentialIds]]),
			);
		patch(node);
	}
	return await n8n.importWorkflow({ ...template, id: randomBytes(8).toString('hex') });
}

async function activate(id: string): Promise<void> {
	const workflow = await n8n.rest<{ data: { versionId: string } }>('GET', `/rest/workflows/${id}`);
	await n8n.rest('POST', `/rest/workflows/${id}/activate`, { versionId: workflow.data.versionId });
}

async function waitFor<T>(
	probe: () => Promise<T | undefined> | T | undefined,
	what: string,
	timeoutMs = 180_000,
): Promise<T> {
	const until = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (value !== undefined) return value;
		if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
}

async function report(campaignId: string): Promise<IDataObject> {
	const res = await fetch(`${service.url}/api/v1/campaigns/${campaignId}`, {
		headers: { authorization: `Bearer ${service.proKey}` },
	});
	return (await res.json()) as IDataObject;
}

beforeAll(async () => {
	service = await startRealService();
	graph = await startGraphStandIn({
		latencyMs: 100,
		validTokens: [TOKEN_WA, TOKEN_IG],
		modules: [whatsapp({ templates: [NEW_POST_ALERT] }), instagram()],
	});
	n8n = await startN8n();
	await n8n.importCredentials(
		templateCredentials(CREDENTIALS, {
			serviceUrl: service.url,
			apiKey: service.proKey,
			graphUrl: graph.url,
			whatsAppToken: TOKEN_WA,
			instagramToken: TOKEN_IG,
		}),
	);

	const tagged = await seedAudience(service, {
		customers: CUSTOMERS,
		optedOut: OPTED_OUT,
		unknown: UNKNOWN,
		otherTag: OTHER_TAG,
		usernameCustomer: USERNAME_CUSTOMER,
	});
	expect(tagged).toMatchObject({
		wa_id: null,
		user_id: USERNAME_CUSTOMER.user_id,
		consent: 'opted_in',
		consent_source: 'keyword',
	});
});

afterAll(async () => {
	await n8n?.stop();
	await graph?.close();
	await service?.close();
});

describe('template 1: Instagram post → WhatsApp broadcast', () => {
	let post: { id: string; caption?: string; media_url: string; permalink: string };
	let campaignId: string;

	it('sends the new post to opted-in customers only (the username customer too, by BSUID), once each, and not to one who says STOP mid-run', async () => {
		const ig = graph.state.instagram as InstagramState;
		post = ig.addMedia({
			caption: 'Monsoon special:\nmasala chai,   ginger chai\tand pakoras — all week!',
			timestamp: igTimestamp(Date.now() - 60_000),
		}) as typeof post;

		// The STOP arrives (through Meta → service) while the first batch is going out.
		let stopSent: Promise<Response> | undefined;
		graph.inject({
			match: {
				// MARKETING templates go through the Marketing Messages API.
				route: 'whatsapp.marketing_messages',
				test: () => {
					stopSent ??= service.postMeta(whatsappText(STOPPER, ' stop ', 'Stopper'));
					return false;
				},
			},
			error: { code: 1 },
			times: Infinity,
		});

		const id = await importTemplate((node) => {
			const parameters = node.parameters as IDataObject;
			// What the user sets up: the sender number, and (to pick up a post made before activation) a backfill date.
			if (node.type === 'n8n-nodes-tiltedprompts.whatsApp')
				parameters.phoneNumberId = { __rl: true, mode: 'id', value: DEFAULT_PHONE_NUMBER_ID };
			if (node.type === 'n8n-nodes-tiltedprompts.instagramTrigger')
				parameters.backfillFrom = new Date(Date.now() - 3_600_000).toISOString();
		});
		await activate(id);

		const campaign = await waitFor(async () => {
			const { rows } = await service.db.pool.query<{ id: string }>('SELECT id FROM campaigns');
			return rows[0];
		}, 'the campaign');
		campaignId = campaign.id;
		const done = await waitFor(async () => {
			const r = await report(campaignId);
			const counts = r.counts as Record<string, number>;
			return counts.pending === 0 && counts.claimed === 0 ? r : undefined;
		}, 'every recipient to be sent or skipped');
		expect((await stopSent)?.status).toBe(200);
		await n8n.rest('POST', `/rest/workflows/${id}/deactivate`, {});

		const recipients = wa().messages.map((m) => m.to);
		const expected = [...CUSTOMERS.map((c) => c.wa_id).filter((waId) => waId !== STOPPER), USERNAME_CUSTOMER.user_id];
		expect(recipients.sort()).toEqual(expected.sort());
		// Addressed as Meta documents: the BSUID in `recipient`, no `to`.
		const toUsername = wa().messages.find((m) => m.to === USERNAME_CUSTOMER.user_id)!;
		expect(toUsername.body).toMatchObject({ recipient: USERNAME_CUSTOMER.user_id });
		expect(toUsername.body.to).toBeUndefined();
		expect(wa().messages.every((m) => m.endpoint === 'marketing_messages')).toBe(true);
		expect(recipients).not.toContain(OPTED_OUT);
		expect(recipients).not.toContain(UNKNOWN);
		expect(recipients).not.toContain(OTHER_TAG);
		expect(recipients).not.toContain(STOPPER);

		expect(done).toMatchObject({
			total: 61,
			skipped: { at_snapshot: { opted_out: 1, consent_unknown: 1 }, at_claim: { opted_out_after_snapshot: 1 } },
		});
		expect((done.counts as Record<string, number>).sent).toBe(60);
		expect(graph.invalidRequests()).toEqual([]);
	});

	it('sends the template with the post’s image, a caption excerpt and the permalink button', () => {
		const toAsha = wa().messages.find((m) => m.to === CUSTOMERS[0].wa_id)!;
		const template = toAsha.body.template as { name: string; language: { code: string }; components: IDataObject[] };
		expect(template.name).toBe('new_post_alert');
		expect(template.language.code).toBe('en');
		expect(template.components).toEqual([
			{ type: 'header', parameters: [{ type: 'image', image: { link: post.media_url } }] },
			{
				type: 'body',
				parameters: [
					{ type: 'text', text: 'Customer 1' },
					{ type: 'text', text: 'Monsoon special: masala chai, ginger chai and pakoras — all week!' },
				],
			},
			{
				type: 'button',
				sub_type: 'url',
				index: '0',
				parameters: [{ type: 'text', text: post.permalink.split('instagram.com/')[1] }],
			},
		]);
	});

	it('a second run for the same post sends nothing new', async () => {
		const before = wa().messages.length;
		const id = await importTemplate((node) => {
			const parameters = node.parameters as IDataObject;
			if (node.type === 'n8n-nodes-tiltedprompts.whatsApp')
				parameters.phoneNumberId = { __rl: true, mode: 'id', value: DEFAULT_PHONE_NUMBER_ID };
			if (node.type === 'n8n-nodes-tiltedprompts.instagramTrigger')
				parameters.backfillFrom = new Date(Date.now() - 3_600_000).toISOString();
		});
		const executionsBefore = await finishedExecutions();
		await activate(id);
		await waitFor(
			async () => ((await finishedExecutions()) > executionsBefore ? true : undefined),
			'the second run to finish',
		);
		await n8n.rest('POST', `/rest/workflows/${id}/deactivate`, {});

		expect(wa().messages.length).toBe(before);
		const { rows } = await service.db.pool.query('SELECT id FROM campaigns');
		expect(rows).toEqual([{ id: campaignId }]);
		expect(new Set(wa().messages.map((m) => m.to)).size).toBe(wa().messages.length);
	});

	it('the username customer writes STOP (matched by BSUID) and is opted out', async () => {
		const stop = await service.postMeta(
			webhooks.inboundText(USERNAME_CUSTOMER, 'STOP', `wamid.${randomBytes(10).toString('hex')}`) as IDataObject,
		);
		expect(stop.status).toBe(200);
		const res = await fetch(`${service.url}/api/v1/contacts/${USERNAME_CUSTOMER.user_id}`, {
			headers: { authorization: `Bearer ${service.proKey}` },
		});
		expect(await res.json()).toMatchObject({
			wa_id: null,
			user_id: USERNAME_CUSTOMER.user_id,
			consent: 'opted_out',
			consent_source: 'keyword',
		});
	});
});

describe('template 1: a run interrupted by Meta resumes without resending', () => {
	it('a re-run sends only to recipients still pending, never again to anyone already claimed', async () => {
		const ig = graph.state.instagram as InstagramState;
		const post = ig.addMedia({ caption: 'Ginger chai is back', timestamp: igTimestamp(Date.now() - 30_000) });
		const forPost = () => wa().messages.filter((m) => JSON.stringify(m.body).includes(post.media_url!));
		const setUp = (node: IDataObject) => {
			const parameters = node.parameters as IDataObject;
			if (node.type === 'n8n-nodes-tiltedprompts.whatsApp')
				parameters.phoneNumberId = { __rl: true, mode: 'id', value: DEFAULT_PHONE_NUMBER_ID };
			if (node.type === 'n8n-nodes-tiltedprompts.instagramTrigger')
				parameters.backfillFrom = new Date(Date.now() - 600_000).toISOString();
		};

		// The access token dies after a few sends of the first batch: the WhatsApp node stops the run (error 190).
		graph.clearInjections();
		graph.inject({
			match: { route: 'whatsapp.marketing_messages' },
			skip: 5,
			times: Infinity,
			error: { code: 190, subcode: 463, status: 401 },
		});
		const before = await finishedExecutions();
		const first = await importTemplate(setUp);
		await activate(first);
		await waitFor(async () => ((await finishedExecutions()) > before ? true : undefined), 'the interrupted run');
		await n8n.rest('POST', `/rest/workflows/${first}/deactivate`, {});
		const sentFirst = forPost().map((m) => m.to);
		expect(sentFirst.length).toBeGreaterThanOrEqual(5);
		expect(sentFirst.length).toBeLessThan(50);

		// The token is renewed and the workflow runs again for the same post.
		graph.clearInjections();
		const afterFirst = await finishedExecutions();
		const second = await importTemplate(setUp);
		await activate(second);
		await waitFor(async () => ((await finishedExecutions()) > afterFirst ? true : undefined), 'the second run');
		await n8n.rest('POST', `/rest/workflows/${second}/deactivate`, {});

		const sentAll = forPost().map((m) => m.to);
		expect(new Set(sentAll).size).toBe(sentAll.length);
		// The interrupted run failed, saying why (the token), not as if all went well.
		expect(await lastErrorMessage(first)).toMatch(/^WhatsApp refused the access token: \d+ of 50 messages were sent/);
		// The username customer said STOP after the last post: this campaign leaves them out.
		expect(sentAll).not.toContain(USERNAME_CUSTOMER.user_id);
		// Opted in now: 59 (one said STOP). The first run's batch refused with 190 went back to the
		// campaign: the re-run sends to everyone the first run did not, each once.
		const claimOrder = CUSTOMERS.map((c) => c.wa_id)
			.filter((waId) => waId !== STOPPER)
			.sort();
		expect([...sentAll].sort()).toEqual(claimOrder);
		const { rows } = await service.db.pool.query<{ state: string; n: number }>(
			`SELECT r.state, count(*)::int AS n FROM campaign_recipients r JOIN campaigns c ON c.id = r.campaign_id
			 WHERE c.idempotency_key = $1 GROUP BY r.state ORDER BY r.state`,
			[`instagram-post-${post.id}`],
		);
		// Nobody stranded: the WhatsApp node said which of the first batch went out and which did not.
		expect(Object.fromEntries(rows.map((r) => [r.state, r.n]))).toEqual({ sent: 59 });
	});
});

async function finishedExecutions(): Promise<number> {
	const list = await n8n.rest<{ data: { results?: Array<{ status: string }>; count?: number } }>(
		'GET',
		'/rest/executions?limit=50',
	);
	return (list.data.results ?? []).filter((e) => e.status === 'success' || e.status === 'error').length;
}

/** The last execution of a workflow: it must have failed; its error message. */
async function lastErrorMessage(workflowId: string): Promise<string | undefined> {
	const list = await n8n.rest<{ data: { results?: Array<{ id: string; status: string }> } }>(
		'GET',
		`/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId }))}&limit=1`,
	);
	const last = list.data.results?.[0];
	expect(last?.status).toBe('error');
	const detail = await n8n.rest<{ data: { data?: string } }>('GET', `/rest/executions/${last!.id}`);
	// Run data is stored "flatted"; flatted is a dev dependency of the toolchain.
	const { parse } = require('flatted') as { parse(text: string): { resultData?: { error?: { message?: string } } } };
	return parse(String(detail.data.data ?? '[]')).resultData?.error?.message;
}
