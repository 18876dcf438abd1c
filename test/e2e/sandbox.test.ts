// The Meta sandbox as a person tries it (issue "How we'll know"): the stack as `npm start` runs it in
// sandbox mode (real service, real n8n with the credentials and templates wired as npm start wires
// them, the sandbox sending signed webhooks), driven in headless Chromium. Activate the Instagram →
// WhatsApp broadcast and the consent keeper → publish a post on the sandbox page → opted-in chats
// show the rendered template (the username-only customer's too, sent by BSUID), the opted-out one
// does not → customers tap STOP (one known by phone, the username-only one) → the consent keeper's
// confirmation appears in each chat → the next post does not reach them; a follower's keyword comment
// on the page gets the comment-keyword template's private reply; staff fill in the staff campaign form
// in the browser and its campaign reaches the chats of the customers still opted in; a bundle posted
// to the bundle-ingestion template's webhook is signed, ingested and listed in the library.
// Screenshots in .artifacts/.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IDataObject } from 'n8n-workflow';
import { startSandbox, type Sandbox } from '../../sandbox/app';
import type { WhatsAppState } from '../../sandbox/whatsapp';
import {
	DEMO_CONTACTS,
	sandboxCredentialRecords,
	wireTemplate,
	type WorkflowLike,
} from '../../scripts/lib/sandbox-mode';
import { startRealService, type RunningService } from '../unit/tiltedprompts/support/service';
import { startChromium, waitFor, type Browser, type Page } from './browser';
import { startN8n, type N8nInstance } from './harness';
import { runForm, type FormAnswers } from './n8n-form';

jest.setTimeout(900_000);

const ROOT = join(__dirname, '..', '..');
const ARTIFACTS = join(ROOT, '.artifacts');
const TOKEN = `sandbox-${randomBytes(8).toString('hex')}`;

/** The staff member's own phone (not a customer): the form's test message goes there. */
const STAFF_WA_ID = '919800055555';

/**
 * What staff answer on the staff campaign form's pages, by field label (the first match wins): the
 * sandbox's one-value marketing template to the customers tag, the test to their own phone, and yes
 * on the confirmation.
 */
const STAFF_ANSWERS: FormAnswers = [
	[/campaign name/i, 'Weekend offer'],
	[/language/i, 'en'],
	[/template/i, 'weekend_offer'],
	[/audience|tag/i, 'customers'],
	[/test number|your (phone|number)/i, '+91 98000 55555'],
	[/arrive|look right|send the campaign/i, 'Yes'],
];

let service: RunningService;
let sandbox: Sandbox;
let n8n: N8nInstance;
let browser: Browser;
let page: Page;

/** Imports a template as npm start does in sandbox mode (wired), optionally patched, and activates it. */
async function activateTemplate(
	file: string,
	patch: (node: IDataObject) => void = () => undefined,
): Promise<{ id: string; nodes: IDataObject[] }> {
	const template = wireTemplate(JSON.parse(readFileSync(join(ROOT, 'workflows', file), 'utf8')) as WorkflowLike);
	for (const node of template.nodes ?? []) patch(node as IDataObject);
	const id = await n8n.importWorkflow({ ...template, id: randomBytes(8).toString('hex') });
	const workflow = await n8n.rest<{ data: { versionId: string } }>('GET', `/rest/workflows/${id}`);
	await n8n.rest('POST', `/rest/workflows/${id}/activate`, { versionId: workflow.data.versionId });
	return { id, nodes: (template.nodes ?? []) as IDataObject[] };
}

/** Opens a page of n8n (logged in as the owner) and waits until `ready` holds in it. */
async function openInN8n(path: string, ready: string, what: string): Promise<void> {
	const name = n8n.cookie.slice(0, n8n.cookie.indexOf('='));
	await page.send('Network.setCookie', { name, value: n8n.cookie.slice(name.length + 1), url: n8n.url });
	await page.send('Page.navigate', { url: `${n8n.url}${path}` });
	await waitFor(async () => ((await page.evaluate<boolean>(ready)) ? true : undefined), what, 60_000);
}

async function openSandboxPage(): Promise<void> {
	await page.send('Page.navigate', { url: sandbox.url });
	await waitFor(
		async () => ((await page.evaluate<number>(`document.querySelectorAll('.chat').length`)) === 6 ? true : undefined),
		'the sandbox page',
		20_000,
	);
}

async function shoot(name: string): Promise<void> {
	mkdirSync(ARTIFACTS, { recursive: true });
	writeFileSync(join(ARTIFACTS, name), await page.screenshot());
}

interface ChatView {
	templates: Array<{ body: string; header: string | null; buttons: string[]; status: string }>;
	texts: Array<{ direction: string; body: string }>;
}

/** What a person sees in one customer's chat on the sandbox page. */
async function chat(customer: string): Promise<ChatView> {
	return await page.evaluate<ChatView>(`(() => {
		const box = document.querySelector('#chat-${customer}');
		if (!box) return { templates: [], texts: [] };
		const msgs = [...box.querySelectorAll('.msg')];
		return {
			templates: msgs.filter((m) => m.dataset.kind === 'template').map((m) => ({
				body: m.querySelector('.text')?.textContent || '',
				header: m.querySelector('img.header')?.getAttribute('src') || null,
				buttons: [...m.querySelectorAll('.btns a, .btns button')].map((b) => b.textContent),
				status: m.dataset.status,
			})),
			texts: msgs.filter((m) => m.dataset.kind === 'text').map((m) => ({ direction: m.classList.contains('out') ? 'out' : 'in', body: m.querySelector('.text')?.textContent || '' })),
		};
	})()`);
}

async function publishOnPage(caption: string): Promise<void> {
	await page.evaluate(`(() => {
		const form = document.querySelector('#publish');
		form.caption.value = ${JSON.stringify(caption)};
		form.requestSubmit();
	})()`);
	await waitFor(
		async () =>
			(await page.evaluate<string>(`document.querySelector('#posts')?.textContent || ''`)).includes(caption)
				? true
				: undefined,
		'the post on the page',
		10_000,
	);
}

async function liveSubscription(eventType: string): Promise<void> {
	const subscription = await waitFor(async () => {
		const res = await fetch(`${service.url}/api/v1/subscriptions`, {
			headers: { authorization: `Bearer ${service.proKey}` },
		});
		const { data } = (await res.json()) as { data: IDataObject[] };
		return data.find((s) => (s.event_types as string[]).includes(eventType));
	}, `the ${eventType} subscription`);
	await waitFor(async () => {
		const res = await fetch(String(subscription.url), {
			method: 'POST',
			headers: {
				'content-type': 'application/json',
				'webhook-id': 'msg_probe',
				'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
				'webhook-signature': 'v1,AAAA',
			},
			body: '{}',
		});
		return res.status === 401 ? true : undefined;
	}, 'the trigger to be live');
}

beforeAll(async () => {
	service = await startRealService();
	sandbox = await startSandbox({
		accessToken: TOKEN,
		statusStepMs: 300,
		webhook: {
			url: `${service.url}/webhooks/meta`,
			appSecret: service.settings.META_APP_SECRETS[0],
			verifyToken: service.settings.META_VERIFY_TOKEN,
		},
	});
	expect(await sandbox.deliverer.verify()).toBe(true);
	const seeded = await fetch(`${service.url}/api/v1/contacts`, {
		method: 'POST',
		headers: { authorization: `Bearer ${service.proKey}`, 'content-type': 'application/json' },
		body: JSON.stringify({ contacts: DEMO_CONTACTS }),
	});
	expect(seeded.status).toBe(200);
	n8n = await startN8n();
	await n8n.importCredentials(
		sandboxCredentialRecords({
			sandboxUrl: sandbox.url,
			serviceUrl: service.url,
			accessToken: TOKEN,
			apiKey: service.proKey,
			signingSecret: service.signingSecret,
		}),
	);
	browser = await startChromium('1500,1100');
	page = await browser.page();
	await page.send('Page.enable');
	await page.send('Network.enable');
});

afterAll(async () => {
	page?.close();
	await browser?.stop();
	await n8n?.stop();
	await sandbox?.close();
	await service?.close();
});

describe('the Meta sandbox in a browser, with real n8n and the real service', () => {
	let broadcastId: string;

	it('activating the wired broadcast and publishing a post on the page reaches the opted-in chats only, rendered', async () => {
		const activatedAt = new Date(Date.now() - 2000).toISOString();
		({ id: broadcastId } = await activateTemplate('instagram-post-to-whatsapp-broadcast.json', (node) => {
			if (node.type !== 'n8n-nodes-tiltedprompts.instagramTrigger') return;
			const parameters = node.parameters as IDataObject;
			// Every minute instead of every 5 (the test's only change); posts from activation on count.
			parameters.pollTimes = { item: [{ mode: 'everyMinute' }] };
			parameters.backfillFrom = activatedAt;
		}));
		await activateTemplate('consent-keeper.json');
		await liveSubscription('whatsapp.message');

		await openInN8n(
			`/workflow/${broadcastId}`,
			`document.querySelectorAll('[data-test-id="canvas-node"]').length > 3`,
			'the broadcast on the canvas',
		);
		await shoot('sandbox-0-broadcast-canvas.png');

		await openSandboxPage();
		await shoot('sandbox-1-start.png');

		await publishOnPage('Monsoon chai is here');
		const opted = ['asha', 'vikram', 'meera', 'chailover'];
		await waitFor(
			async () => {
				const views = await Promise.all(opted.map(chat));
				return views.every((v) => v.templates.length === 1) ? true : undefined;
			},
			'the template in the opted-in chats',
			180_000,
		);
		const asha = await waitFor(
			async () => {
				const view = await chat('asha');
				return view.templates[0]?.status === 'read' ? view : undefined;
			},
			'Asha to read it',
			30_000,
		);
		const post = sandbox.graph.state.instagram as { media: Array<{ caption?: string; media_url: string }> };
		const published = post.media.find((m) => m.caption === 'Monsoon chai is here')!;
		expect(asha.templates[0]).toEqual({
			body: 'Hi Asha Rao! New on our Instagram: Monsoon chai is here',
			header: published.media_url,
			buttons: ['↗ See the post', '↩ Stop promotions'],
			status: 'read',
		});
		expect((await chat('rahul')).templates).toEqual([]);
		// The username-only customer (no phone number) got it by BSUID, rendered the same way.
		const chaiLover = await waitFor(
			async () => {
				const view = await chat('chailover');
				return view.templates[0]?.status === 'read' ? view : undefined;
			},
			'Chai Lover to read it',
			30_000,
		);
		expect(chaiLover.templates[0]).toEqual({
			...asha.templates[0],
			body: 'Hi Chai Lover! New on our Instagram: Monsoon chai is here',
		});
		const karan = await waitFor(
			async () => {
				const view = await chat('karan');
				return view.templates[0]?.status === 'failed' ? view : undefined;
			},
			'the failed status for Karan',
			30_000,
		);
		expect(karan.templates).toHaveLength(1);
		await shoot('sandbox-2-broadcast.png');
	});

	it('customers tap STOP (by phone, and username-only): the consent keeper confirms in each chat, and the next post does not reach them', async () => {
		for (const customer of ['meera', 'chailover']) {
			await page.evaluate(
				`[...document.querySelectorAll('#chat-${customer} .reply button')].find((b) => b.textContent === 'STOP').click()`,
			);
			const view = await waitFor(async () => {
				const current = await chat(customer);
				return current.texts.some((t) => t.direction === 'out' && /unsubscribed/i.test(t.body)) ? current : undefined;
			}, `the opt-out confirmation in ${customer}’s chat`);
			expect(view.texts[0]).toEqual({ direction: 'in', body: 'STOP' });
			// The chat's badge no longer shows the seeded "list: opted in".
			expect(await page.evaluate<string>(`document.querySelector('#chat-${customer} .badge').textContent`)).toBe(
				'wrote STOP',
			);
		}
		const { rows } = await service.db.pool.query<{ consent: string }>(
			`SELECT consent FROM contacts WHERE user_id = 'US.13491208655302741918'`,
		);
		expect(rows).toEqual([{ consent: 'opted_out' }]);
		await shoot('sandbox-3-stop.png');

		await publishOnPage('Ginger chai is back');
		await waitFor(
			async () => {
				const views = await Promise.all(['asha', 'vikram'].map(chat));
				return views.every((v) => v.templates.length === 2) ? true : undefined;
			},
			'the second post in the opted-in chats',
			180_000,
		);
		// The campaign for the second post is finished: every recipient sent, failed or skipped.
		await waitFor(
			async () => {
				const { rows } = await service.db.pool.query<{ campaigns: number; open: number }>(
					`SELECT (SELECT count(*)::int FROM campaigns) AS campaigns, (SELECT count(*)::int FROM campaign_recipients WHERE state IN ('pending', 'claimed')) AS open`,
				);
				return rows[0].campaigns === 2 && rows[0].open === 0 ? true : undefined;
			},
			'the second campaign to finish',
			60_000,
		);
		expect((await chat('meera')).templates).toHaveLength(1);
		expect((await chat('chailover')).templates).toHaveLength(1);
		expect((await chat('rahul')).templates).toEqual([]);
		await n8n.rest('POST', `/rest/workflows/${broadcastId}/deactivate`, {});
		await shoot('sandbox-4-next-post.png');
	});

	it('a follower comments a keyword on the page: the comment-keyword template replies privately and saves the lead', async () => {
		await activateTemplate('comment-keyword-to-lead.json');
		await liveSubscription('instagram.comment');
		const newest = await page.evaluate<string>(`document.querySelector('.post').id`);
		await page.evaluate(`(() => {
			const form = document.querySelector('#${newest} form');
			form.username.value = 'neha.k';
			form.text.value = 'PRICE? call me on +91 98765 43210';
			form.requestSubmit();
		})()`);
		const reply = await waitFor(
			async () =>
				(await page.evaluate<string | null>(
					`document.querySelector('#${newest} .comment.private')?.textContent ?? null`,
				)) ?? undefined,
			'the private reply under the comment',
		);
		expect(reply).toMatch(/^Private reply: Hi neha\.k! Our offer/);
		const lead = await waitFor(async () => {
			const res = await fetch(`${service.url}/api/v1/contacts/919876543210`, {
				headers: { authorization: `Bearer ${service.proKey}` },
			});
			return res.status === 200 ? ((await res.json()) as { consent: string }) : undefined;
		}, 'the lead in the service');
		expect(lead.consent).toBe('unknown');
		await shoot('sandbox-5-comment-keyword.png');
	});

	it('staff fill in the staff campaign form in the browser: a test message to their number, then, confirmed, the campaign in the chats of customers still opted in', async () => {
		const { nodes } = await activateTemplate('staff-campaign-form.json');
		const trigger = nodes.find((n) => n.type === 'n8n-nodes-base.formTrigger')!;
		const formUrl = `${n8n.url}/form/${String(trigger.webhookId)}`;
		await waitFor(async () => ((await fetch(formUrl)).status === 200 ? true : undefined), 'the form to be published');
		const wa = sandbox.graph.state.whatsapp as WhatsAppState;
		const sentBefore = wa.messages.length;

		const pages = await runForm(page, formUrl, STAFF_ANSWERS, async (shown, step) => {
			await shoot(`sandbox-6-staff-form-${step + 1}.png`);
			if (!shown.completion && shown.fields.some((f) => f.options.some((o) => /^yes/i.test(o))))
				// The confirmation page: the test message went to the staff number only.
				expect(wa.messages.slice(sentBefore).map((m) => m.to)).toEqual([STAFF_WA_ID]);
		});
		const done = pages[pages.length - 1];
		expect(pages[0].title).toBe('New WhatsApp campaign');
		expect(pages.map((p) => p.title)).toContain('Check your phone');
		expect(done.title).toMatch(/^Weekend offer: /);
		// Meera and Chai Lover tapped STOP above and Rahul never opted in: three customers are left.
		expect(done.text).toMatch(/Sent to \d of 3 customers/);
		expect(done.text).toMatch(/https?:\/\/\S+\/reports\/[0-9a-f]{64}/);

		await openSandboxPage();
		const offer = (view: ChatView) => view.templates.filter((t) => t.body.includes('This weekend only'));
		for (const [customer, name] of [
			['asha', 'Asha Rao'],
			['vikram', 'Vikram Shah'],
			['karan', 'Karan Mehta'],
		]) {
			const got = await waitFor(async () => {
				const view = offer(await chat(customer));
				return view.length > 0 ? view : undefined;
			}, `the offer in ${customer}’s chat`);
			expect(got.map((t) => t.body)).toEqual([`Hi ${name}! This weekend only: 20% off every chai blend in our shop.`]);
		}
		for (const customer of ['meera', 'chailover', 'rahul']) expect(offer(await chat(customer))).toEqual([]);
		await waitFor(
			async () => ((await page.evaluate<boolean>(`[...document.images].every((i) => i.complete)`)) ? true : undefined),
			'the chat images to load',
			20_000,
		);
		await shoot('sandbox-7-staff-campaign.png');
	});

	it('a bundle posted to the bundle-ingestion template is signed, ingested once and listed in the library, and its run shows in n8n', async () => {
		const { id } = await activateTemplate('bundle-ingestion.json');
		const bundle = {
			bundle_id: 'sandbox-sample-1',
			assets: [
				{
					slug: 'captions/ginger-chai',
					type: 'caption',
					title: 'Ginger chai is back',
					content: { text: 'Rainy evenings call for ginger chai' },
					is_premium: false,
					tags: ['sandbox-sample'],
				},
				{
					slug: 'prompts/festive-post',
					type: 'prompt',
					title: 'Festive post ideas',
					content: { text: 'Write three Diwali post ideas for a tea shop' },
					is_premium: true,
					tags: ['sandbox-sample'],
				},
			],
		};
		// Posted as the template's sticky note says; retried only while n8n has not registered the webhook yet.
		const reply = await waitFor(async () => {
			const res = await fetch(`${n8n.url}/webhook/tiltedprompts-bundle`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify(bundle),
				signal: AbortSignal.timeout(120_000),
			});
			return res.status === 404 ? undefined : { status: res.status, body: (await res.json()) as IDataObject };
		}, 'the bundle webhook');
		expect(reply.status).toBe(200);
		expect(reply.body.message).toBe('Bundle sandbox-sample-1 ingested: 2 created, 0 updated');

		const listing = async (key: string) => {
			const res = await fetch(`${service.url}/api/v1/library/assets?tag=sandbox-sample`, {
				headers: { authorization: `Bearer ${key}` },
			});
			const { data } = (await res.json()) as { data: IDataObject[] };
			return data.map((a) => `${String(a.slug)} (${String(a.source_bundle)})`).sort();
		};
		expect(await listing(service.proKey)).toEqual([
			'captions/ginger-chai (sandbox-sample-1)',
			'prompts/festive-post (sandbox-sample-1)',
		]);
		// The premium asset is for pro users only.
		expect(await listing(service.freeKey)).toEqual(['captions/ginger-chai (sandbox-sample-1)']);

		const runs = await waitFor(async () => {
			const executions = await n8n.rest<{ data: { results: Array<{ id: string; status: string }> } }>(
				'GET',
				`/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId: id }))}`,
			);
			const { results } = executions.data;
			return results.every((e) => !['new', 'running'].includes(e.status)) ? results : undefined;
		}, 'the bundle run to end in n8n');
		expect(runs.map((e) => e.status)).toEqual(['success']);
		await openInN8n(
			`/workflow/${id}/executions/${runs[0].id}`,
			`document.body.innerText.includes('Ingest Bundle')`,
			'the bundle run in n8n',
		);
		await shoot('sandbox-8-bundle-run.png');
	});
});
