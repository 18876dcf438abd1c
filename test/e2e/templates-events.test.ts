// Templates 2, 4 and 5 imported as shipped into real n8n, published, and driven by real events:
// Meta webhooks to the service (fanned out, signed, to the TiltedPrompts Trigger) and a bundle
// posted to n8n's webhook. Outcomes are checked where a user sees them: the messages the Graph API
// stand-in received, the rows in the service, the HTTP reply.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IDataObject } from 'n8n-workflow';
import {
	IG_ACCOUNT_ID,
	instagram,
	startGraphStandIn,
	whatsapp,
	type GraphStandIn,
	type InstagramState,
	type WhatsAppState,
} from '../../sandbox';
import { startRealService, type RunningService } from '../unit/tiltedprompts/support/service';
import { startN8n, type N8nInstance } from './harness';
import {
	consentKeeperConversation,
	subscriptionFor as subscriptionFor_,
	templateCredentials,
	triggerLive as triggerLive_,
	type TemplateCredentialIds,
	whatsappText,
} from './template-scenarios';

jest.setTimeout(900_000);

const TOKEN_WA = `wa-${randomBytes(8).toString('hex')}`;
const TOKEN_IG = `ig-${randomBytes(8).toString('hex')}`;
const WORKFLOWS = join(__dirname, '..', '..', 'workflows');
const CREDENTIALS: TemplateCredentialIds = {
	tiltedPromptsApi: { id: 'tpCredTplEvent01', name: 'TiltedPrompts (e2e)' },
	whatsAppCloudApi: { id: 'waCredTplEvent01', name: 'WhatsApp (e2e)' },
	instagramApi: { id: 'igCredTplEvent01', name: 'Instagram (e2e)' },
};

let service: RunningService;
let graph: GraphStandIn;
let n8n: N8nInstance;

async function publishTemplate(file: string): Promise<{ id: string; nodes: IDataObject[] }> {
	const template = JSON.parse(readFileSync(join(WORKFLOWS, file), 'utf8')) as { nodes: IDataObject[] } & IDataObject;
	for (const node of template.nodes) {
		const references = node.credentials as Record<string, unknown> | undefined;
		if (references)
			node.credentials = Object.fromEntries(
				Object.keys(references).map((type) => [type, CREDENTIALS[type as keyof TemplateCredentialIds]]),
			);
	}
	const id = await n8n.importWorkflow({ ...template, id: randomBytes(8).toString('hex') });
	const workflow = await n8n.rest<{ data: { versionId: string } }>('GET', `/rest/workflows/${id}`);
	await n8n.rest('POST', `/rest/workflows/${id}/activate`, { versionId: workflow.data.versionId });
	return { id, nodes: template.nodes };
}

let workflowUnderTest: string | undefined;

/** What n8n recorded for the workflow under test: the last executions' errors, to explain a timeout. */
async function executionReport(): Promise<string> {
	if (!workflowUnderTest) return '';
	const list = await n8n.rest<{ data: { results?: Array<{ id: string; status: string }> } }>(
		'GET',
		`/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId: workflowUnderTest }))}&limit=5`,
	);
	const lines: string[] = [];
	for (const execution of list.data.results ?? []) {
		const detail = await n8n.rest<{ data: { data?: string } }>('GET', `/rest/executions/${execution.id}`);
		// Run data is stored "flatted"; flatted is a dev dependency of the toolchain (diagnostics only).
		const { parse } = require('flatted') as {
			parse(text: string): {
				resultData?: {
					runData?: Record<
						string,
						Array<{ data?: { main?: Array<Array<{ json: unknown }>> }; error?: { message?: string } }>
					>;
				};
			};
		};
		const runData = parse(String(detail.data.data ?? '[]')).resultData?.runData ?? {};
		const messages = Object.entries(runData).map(
			([node, runs]) =>
				`${node}: ${runs[0]?.error?.message ?? JSON.stringify(runs[0]?.data?.main?.map((out) => out?.[0]?.json ?? null)).slice(0, 400)}`,
		);
		lines.push(`${execution.id} ${execution.status}: ${messages.slice(0, 5).join(' | ')}`);
	}
	for (const request of graph.requests.slice(-5))
		lines.push(
			`graph ${request.method} ${request.path} → ${String(request.status)} ${JSON.stringify(request.response).slice(0, 300)}`,
		);
	return lines.join('\n');
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
		if (Date.now() > until)
			throw new Error(`timed out waiting for ${what}\n${await executionReport().catch(() => '')}`);
		await new Promise((resolve) => setTimeout(resolve, 300));
	}
}

const subscriptionFor = (eventType: string) => subscriptionFor_(service, eventType, waitFor);
const triggerLive = (subscription: IDataObject) => triggerLive_(subscription, waitFor);

function instagramComment(comment: { id: string; text: string; mediaId: string; username: string }): IDataObject {
	return {
		object: 'instagram',
		entry: [
			{
				id: IG_ACCOUNT_ID,
				time: Math.floor(Date.now() / 1000),
				changes: [
					{
						field: 'comments',
						value: {
							from: { id: '17841400000009999', username: comment.username },
							media: { id: comment.mediaId, media_product_type: 'FEED' },
							id: comment.id,
							text: comment.text,
						},
					},
				],
			},
		],
	};
}

beforeAll(async () => {
	service = await startRealService();
	graph = await startGraphStandIn({ validTokens: [TOKEN_WA, TOKEN_IG], modules: [whatsapp(), instagram()] });
	n8n = await startN8n();
	await n8n.importCredentials(
		templateCredentials(CREDENTIALS, {
			serviceUrl: service.url,
			apiKey: service.proKey,
			signingSecret: service.signingSecret,
			graphUrl: graph.url,
			whatsAppToken: TOKEN_WA,
			instagramToken: TOKEN_IG,
		}),
	);
});

afterAll(async () => {
	await n8n?.stop();
	await graph?.close();
	await service?.close();
});

describe('template 5: consent keeper', () => {
	it('confirms STOP and START on WhatsApp after the service recorded them, and ignores other messages', async () => {
		const { id } = await publishTemplate('consent-keeper.json');
		workflowUnderTest = id;
		await triggerLive(await subscriptionFor('whatsapp.message'));
		await consentKeeperConversation({
			service,
			whatsapp: graph.state.whatsapp as WhatsAppState,
			customer: '919877700001',
			waitFor,
		});
	});

	it('a confirmation refused for a dead access token (Meta error 190) fails the execution, saying so', async () => {
		const before = await executionsOf(workflowUnderTest!);
		graph.inject({ match: { route: 'whatsapp.messages' }, error: { code: 190, subcode: 463, status: 401 } });
		try {
			expect((await service.postMeta(whatsappText('919877700002', 'STOP'))).status).toBe(200);
			const failed = await waitFor(async () => {
				const list = await executionsOf(workflowUnderTest!);
				return list.length > before.length && list[0].status !== 'running' ? list[0] : undefined;
			}, 'the execution');
			expect(failed.status).toBe('error');
			const detail = await n8n.rest<{ data: { data?: string } }>('GET', `/rest/executions/${failed.id}`);
			const { parse } = require('flatted') as {
				parse(text: string): { resultData?: { error?: { message?: string } } };
			};
			expect(parse(String(detail.data.data ?? '[]')).resultData?.error?.message).toMatch(
				/^WhatsApp error 190 \(subcode 463\): access token expired or invalid/,
			);
		} finally {
			graph.clearInjections();
		}
	});
});

async function executionsOf(workflowId: string): Promise<Array<{ id: string; status: string }>> {
	const list = await n8n.rest<{ data: { results?: Array<{ id: string; status: string }> } }>(
		'GET',
		`/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId }))}&limit=50`,
	);
	return list.data.results ?? [];
}

describe('template 2: comment keyword → lead', () => {
	it('replies privately to a keyword comment and saves a phone number in it as a lead without consent', async () => {
		await publishTemplate('comment-keyword-to-lead.json');
		await triggerLive(await subscriptionFor('instagram.comment'));
		const ig = graph.state.instagram as InstagramState;
		const post = ig.addMedia({ caption: 'New: cardamom chai' });
		const withPhone = ig.addComment(post.id, { text: 'PRICE please, call me +91 98111 00022', username: 'asha.k' });
		const noKeyword = ig.addComment(post.id, { text: 'Looks lovely!', username: 'ravi' });

		for (const c of [noKeyword, withPhone]) {
			expect(
				(
					await service.postMeta(
						instagramComment({ id: c.id, text: c.text, mediaId: post.id, username: String(c.username) }),
					)
				).status,
			).toBe(200);
		}
		await waitFor(() => (ig.messages.length >= 1 ? true : undefined), 'the private reply');
		const lead = await waitFor(async () => {
			const { rows } = await service.db.pool.query<{ name: string; tags: string[]; consent: string }>(
				'SELECT name, tags, consent FROM contacts WHERE wa_id = $1',
				['919811100022'],
			);
			return rows[0];
		}, 'the lead');
		expect({ ...lead, tags: [...lead.tags].sort() }).toEqual({
			name: 'asha.k',
			tags: ['instagram', 'lead'],
			consent: 'unknown',
		});

		await waitFor(async () => {
			const { rows } = await service.db.pool.query(
				`SELECT count(*)::int AS n FROM deliveries WHERE status = 'succeeded' AND event_type = 'instagram.comment'`,
			);
			return rows[0].n >= 2 ? true : undefined;
		}, 'both deliveries');
		expect(ig.messages).toEqual([
			expect.objectContaining({
				recipient: { comment_id: withPhone.id },
				text: expect.stringMatching(/^Hi asha\.k! Our offer/),
			}),
		]);
	});
});

describe('template 4: bundle ingestion', () => {
	it('ingests a posted bundle, signed, and answers with what was created; a bad bundle gets its field errors', async () => {
		const { nodes } = await publishTemplate('bundle-ingestion.json');
		const path = String((nodes.find((n) => n.type === 'n8n-nodes-base.webhook')!.parameters as IDataObject).path);
		const url = `${n8n.url}/webhook/${path}`;
		const bundle = {
			bundle_id: 'tpl-4',
			assets: [
				{
					slug: 'guides/reels-101',
					type: 'guide',
					title: 'Reels 101',
					content: { text: 'Hook in 2 s' },
					is_premium: true,
					tags: ['reels'],
				},
			],
		};
		const ok = await waitFor(async () => {
			const res = await fetch(url, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify(bundle),
			});
			return res.status === 404 ? undefined : res;
		}, 'the webhook to be live');
		expect(ok.status).toBe(200);
		expect(await ok.json()).toMatchObject({
			bundle_id: 'tpl-4',
			created: 1,
			updated: 0,
			message: 'Bundle tpl-4 ingested: 1 created, 0 updated',
		});
		const { rows } = await service.db.pool.query(
			'SELECT title, is_premium, source_bundle FROM library_assets WHERE slug = $1',
			['guides/reels-101'],
		);
		expect(rows).toEqual([{ title: 'Reels 101', is_premium: true, source_bundle: 'tpl-4' }]);

		const bad = await fetch(url, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ bundle_id: 'tpl-4b', assets: [{ slug: 'x', type: 'poem' }] }),
		});
		expect(bad.status).toBe(422);
		const body = (await bad.json()) as { message: string };
		expect(body.message).toMatch(/^Bundle rejected: TiltedPrompts service error 422/);
		expect(body.message).toMatch(/• assets\[0\]\.type: /);
	});
});
