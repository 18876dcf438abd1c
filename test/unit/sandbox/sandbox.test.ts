// The Meta sandbox against the real service (in-process, real Postgres): the GET handshake, signed
// webhooks the service accepts and stores, delivery statuses after a send, a STOP reply that the
// service's consent keeper records, and the page's endpoints.
import { startSandbox, type Sandbox } from '../../../sandbox/app';
import { CUSTOMER_TAG, CUSTOMERS, renderTemplate, sandboxTemplates } from '../../../sandbox/world';
import { signPayload, type Payload } from '../../../sandbox/webhooks';
import { DEMO_CONTACTS } from '../../../scripts/lib/sandbox-mode';
import { messageBody } from '../../../nodes/WhatsApp/shared/build/envelope';
import { startRealService, type RunningService } from '../tiltedprompts/support/service';

jest.setTimeout(60_000);

let service: RunningService;
let sandbox: Sandbox;
const TOKEN = 'sandbox-test-token';

async function graphSend(to: string, body: Record<string, unknown>): Promise<Response> {
	return await fetch(`${sandbox.url}/v23.0/106540352242922/messages`, {
		method: 'POST',
		headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
		body: JSON.stringify({ messaging_product: 'whatsapp', recipient_type: 'individual', to, ...body }),
	});
}

const newPostAlert = (name: string) => ({
	type: 'template',
	template: {
		name: 'new_post_alert',
		language: { code: 'en' },
		components: [
			{ type: 'header', parameters: [{ type: 'image', image: { link: 'https://example.com/p.jpg' } }] },
			{
				type: 'body',
				parameters: [
					{ type: 'text', text: name },
					{ type: 'text', text: 'Monsoon chai' },
				],
			},
			{ type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: 'p/abc/' }] },
		],
	},
});

async function storedEvents(): Promise<Array<{ type: string; payload: Record<string, unknown> }>> {
	return (await service.db.pool.query('SELECT type, payload FROM events ORDER BY id')).rows;
}

beforeAll(async () => {
	service = await startRealService();
	sandbox = await startSandbox({
		accessToken: TOKEN,
		statusStepMs: 20,
		webhook: {
			url: `${service.url}/webhooks/meta`,
			appSecret: service.settings.META_APP_SECRETS[0],
			verifyToken: service.settings.META_VERIFY_TOKEN,
		},
	});
});

afterAll(async () => {
	await sandbox?.close();
	await service?.close();
});

test('a wrong verify token fails the handshake and nothing is POSTed, as with Meta', async () => {
	const wrong = await startSandbox({
		webhook: {
			url: `${service.url}/webhooks/meta`,
			appSecret: service.settings.META_APP_SECRETS[0],
			verifyToken: 'not-the-token',
		},
	});
	try {
		const before = (await storedEvents()).length;
		expect(await wrong.deliverer.verify()).toBe(false);
		expect(wrong.deliverer.problem).toMatch(/403.*verify_token/);
		const entry = await wrong.reply('asha', { type: 'text', text: 'hello?' });
		expect(entry.error).toMatch(/not sent: callback verification failed/);
		expect((await storedEvents()).length).toBe(before);
	} finally {
		await wrong.close();
	}
});

test('the handshake passes and a send to a customer comes back as sent → delivered → read statuses the service stores', async () => {
	expect(await sandbox.deliverer.verify()).toBe(true);
	const res = await graphSend('919812345601', newPostAlert('Asha'));
	expect(res.status).toBe(200);
	const wamid = ((await res.json()) as { messages: Array<{ id: string }> }).messages[0].id;
	await sandbox.settled();
	const chat = sandbox.chats.get('asha')!;
	expect(chat).toHaveLength(1);
	expect(chat[0]).toMatchObject({
		direction: 'out',
		status: 'read',
		message: {
			body: 'Hi Asha! New on our Instagram: Monsoon chai',
			header: { type: 'image', url: 'https://example.com/p.jpg' },
		},
	});
	expect(chat[0].message.buttons[0]).toEqual({
		type: 'url',
		text: 'See the post',
		url: 'https://www.instagram.com/p/abc/',
	});
	const statuses = (await storedEvents())
		.filter((e) => JSON.stringify(e.payload).includes(wamid))
		.map((e) => JSON.stringify(e.payload).match(/"(sent|delivered|read)"/)?.[1]);
	expect(statuses).toEqual(['sent', 'delivered', 'read']);
	expect(sandbox.deliverer.log.filter((r) => r.kind.startsWith('status')).every((r) => r.status === 200)).toBe(true);
});

test('a customer who is not on WhatsApp gets a failed status with 131026', async () => {
	await graphSend('919812345605', newPostAlert('Karan'));
	await sandbox.settled();
	expect(sandbox.chats.get('karan')![0]).toMatchObject({ status: 'failed', error: '131026: Message undeliverable' });
	const failed = (await storedEvents()).filter((e) => JSON.stringify(e.payload).includes('131026'));
	expect(failed.length).toBe(1);
});

test('STOP typed as the customer reaches the service signed, and its consent keeper opts the contact out', async () => {
	const put = await fetch(`${service.url}/api/v1/contacts`, {
		method: 'POST',
		headers: { authorization: `Bearer ${service.proKey}`, 'content-type': 'application/json' },
		body: JSON.stringify({
			contacts: [{ wa_id: '919812345603', name: 'Meera Iyer', tags: ['customers'], consent: 'opted_in' }],
		}),
	});
	expect(put.status).toBe(200);
	const entry = await sandbox.reply('meera', { type: 'text', text: 'STOP' });
	expect(entry.error).toBeUndefined();
	const contact = (await (
		await fetch(`${service.url}/api/v1/contacts/919812345603`, {
			headers: { authorization: `Bearer ${service.proKey}` },
		})
	).json()) as { consent: string; consent_source: string };
	expect(contact).toMatchObject({ consent: 'opted_out', consent_source: 'keyword' });
});

test('marketing stopped in WhatsApp: user_preferences webhook, then marketing templates fail with 131050', async () => {
	await sandbox.setPreference('vikram', 'stop');
	expect(
		(await storedEvents()).some((e) => JSON.stringify(e.payload).includes('"stop"') || e.type.includes('preference')),
	).toBe(true);
	await graphSend('919812345602', newPostAlert('Vikram'));
	await sandbox.settled();
	expect(sandbox.chats.get('vikram')!.at(-1)).toMatchObject({
		status: 'failed',
		error: '131050: User has stopped marketing messages',
	});
});

test('the page and its actions: publish a post, comment as a follower (Graph API and comments webhook see them)', async () => {
	const page = await fetch(`${sandbox.url}/`);
	expect(page.status).toBe(200);
	expect(await page.text()).toContain('Meta sandbox');
	expect((await fetch(`${sandbox.url}/sandbox/page.js`)).status).toBe(200);

	const bad = await fetch(`${sandbox.url}/sandbox/api/instagram/posts`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: '{}',
	});
	expect(bad.status).toBe(400);
	expect(((await bad.json()) as { error: string }).error).toMatch(/"caption" is required/);

	const published = (await (
		await fetch(`${sandbox.url}/sandbox/api/instagram/posts`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ caption: 'Ginger chai is back' }),
		})
	).json()) as { id: string };
	const media = (await (
		await fetch(`${sandbox.url}/graph.facebook.com/v24.0/17841400000000001/media?fields=id,caption`, {
			headers: { authorization: `Bearer ${TOKEN}` },
		})
	).json()) as { data: Array<{ id: string; caption: string }> };
	expect(media.data[0]).toEqual({ id: published.id, caption: 'Ginger chai is back' });

	const comment = await fetch(`${sandbox.url}/sandbox/api/instagram/posts/${published.id}/comments`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ username: 'neha.k', text: 'PRICE?' }),
	});
	expect(comment.status).toBe(200);
	const events = await storedEvents();
	expect(events.some((e) => JSON.stringify(e.payload).includes('PRICE?'))).toBe(true);

	const state = (await (await fetch(`${sandbox.url}/sandbox/api/state`)).json()) as {
		customers: Array<{ id: string; chat: unknown[] }>;
		instagram: { posts: Array<{ id: string; comments: Array<{ text: string }> }> };
	};
	expect(state.customers.find((c) => c.id === 'asha')!.chat).toHaveLength(1);
	expect(state.instagram.posts.find((p) => p.id === published.id)!.comments.map((c) => c.text)).toEqual(['PRICE?']);

	// A private reply made through the Graph API (as the comment-keyword template does) shows under the comment, as a new page version.
	const versionBefore = sandbox.version();
	const commentId = ((await comment.json()) as { id: string }).id;
	const dm = await fetch(`${sandbox.url}/graph.facebook.com/v24.0/100000000000001/messages`, {
		method: 'POST',
		headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
		body: JSON.stringify({ recipient: { comment_id: commentId }, message: { text: 'Our offer: 20% off' } }),
	});
	expect(dm.status).toBe(200);
	expect(sandbox.version()).toBeGreaterThan(versionBefore);
	const after = (await (await fetch(`${sandbox.url}/sandbox/api/state`)).json()) as {
		version: number;
		instagram: { posts: Array<{ id: string; comments: Array<{ private_reply: string | null }> }> };
	};
	expect(after.version).toBe(sandbox.version());
	expect(after.instagram.posts.find((p) => p.id === published.id)!.comments[0].private_reply).toBe(
		'Our offer: 20% off',
	);

	const unknown = await fetch(`${sandbox.url}/sandbox/api/customers/nobody/messages`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ text: 'hi' }),
	});
	expect(unknown.status).toBe(400);
});

test('npm start seeds every sandbox customer as a contact with the consent the sandbox says it has; the username-only one by BSUID', () => {
	expect(DEMO_CONTACTS).toHaveLength(CUSTOMERS.length);
	for (const customer of CUSTOMERS) {
		const seeded = DEMO_CONTACTS.find((c) =>
			customer.waId ? c.wa_id === customer.waId : c.user_id === customer.bsuid,
		);
		expect(seeded).toEqual(
			expect.objectContaining({ name: customer.name, consent: customer.consent, tags: [CUSTOMER_TAG] }),
		);
	}
	expect(DEMO_CONTACTS.find((c) => c.user_id === 'US.13491208655302741918')).toMatchObject({ consent: 'opted_in' });
});

test('an opted-in username-only customer gets the campaign by BSUID through /marketing_messages, rendered like any template; statuses carry recipient_user_id; their STOP is honoured', async () => {
	const api = async (method: string, path: string, body?: unknown) => {
		const res = await fetch(`${service.url}${path}`, {
			method,
			headers: { authorization: `Bearer ${service.proKey}`, 'content-type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		return (await res.json()) as Record<string, any>;
	};
	const chaiLover = CUSTOMERS.find((c) => c.id === 'chailover')!;
	expect(chaiLover.waId).toBeUndefined();
	await api('POST', '/api/v1/contacts', { contacts: DEMO_CONTACTS });
	const campaign = await api('POST', '/api/v1/campaigns', {
		name: 'Monsoon',
		template: { name: 'new_post_alert', language: 'en' },
		audience: { tags: [CUSTOMER_TAG] },
	});
	const claimed = (await api('POST', `/api/v1/campaigns/${campaign.id}/claim`, { limit: 50 })).data as Array<
		Record<string, string | null>
	>;
	const mine = claimed.find((r) => r.user_id === chaiLover.bsuid)!;
	expect(mine).toMatchObject({ wa_id: null, to: null, recipient: chaiLover.bsuid });

	const delivered: Payload[] = [];
	const send = sandbox.deliverer.send.bind(sandbox.deliverer);
	sandbox.deliverer.send = (kind, payload) => {
		delivered.push(payload);
		return send(kind, payload);
	};
	// What the WhatsApp node sends for a MARKETING template: the BSUID goes in `recipient`.
	const body = messageBody((mine.to ?? mine.recipient)!, newPostAlert('Chai Lover'));
	expect(body).toMatchObject({ recipient: chaiLover.bsuid });
	expect(body).not.toHaveProperty('to');
	const res = await fetch(`${sandbox.url}/v23.0/106540352242922/marketing_messages`, {
		method: 'POST',
		headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
		body: JSON.stringify(body),
	});
	expect(res.status).toBe(200);
	const wamid = ((await res.json()) as { messages: Array<{ id: string }> }).messages[0].id;
	await api('POST', `/api/v1/campaigns/${campaign.id}/results`, { results: [{ user_id: chaiLover.bsuid, wamid }] });
	await sandbox.settled();

	const chat = sandbox.chats.get('chailover')!;
	expect(chat).toHaveLength(1);
	expect(chat[0]).toMatchObject({
		id: wamid,
		direction: 'out',
		status: 'read',
		message: {
			kind: 'template',
			body: 'Hi Chai Lover! New on our Instagram: Monsoon chai',
			header: { type: 'image', url: 'https://example.com/p.jpg' },
			template: { name: 'new_post_alert', category: 'MARKETING' },
		},
	});
	expect(chat[0].message.buttons.map((b) => b.text)).toEqual(['See the post', 'Stop promotions']);
	const statuses = delivered
		.map((p) => (p as any).entry[0].changes[0].value.statuses?.[0])
		.filter((s) => s?.id === wamid);
	expect(statuses.map((s) => s.status)).toEqual(['sent', 'delivered', 'read']);
	for (const status of statuses) {
		expect(status.recipient_user_id).toBe(chaiLover.bsuid);
		expect(status).not.toHaveProperty('recipient_id');
	}
	const recipient = await service.db.pool.query(
		'SELECT state FROM campaign_recipients WHERE campaign_id = $1 AND user_id = $2',
		[campaign.id, chaiLover.bsuid],
	);
	expect(recipient.rows[0].state).toBe('read');

	const stop = await sandbox.reply('chailover', { type: 'text', text: 'STOP' });
	expect(stop.error).toBeUndefined();
	expect(await api('GET', `/api/v1/contacts/${chaiLover.bsuid}`)).toMatchObject({
		consent: 'opted_out',
		consent_source: 'keyword',
		username: 'chai.lover',
	});
	const next = await api('POST', '/api/v1/campaigns', {
		name: 'Ginger',
		template: { name: 'new_post_alert', language: 'en' },
		audience: { tags: [CUSTOMER_TAG] },
	});
	const nextClaim = (await api('POST', `/api/v1/campaigns/${next.id}/claim`, { limit: 50 })).data as Array<
		Record<string, string | null>
	>;
	expect(nextClaim.length).toBeGreaterThan(0);
	expect(nextClaim.map((r) => r.user_id)).not.toContain(chaiLover.bsuid);
});

test('rendering fills positional parameters and the signature is the HMAC of the raw bytes', () => {
	const rendered = renderTemplate(sandboxTemplates()[1], {
		name: 'order_update',
		components: [
			{
				type: 'body',
				parameters: [
					{ type: 'text', text: 'Asha' },
					{ type: 'text', text: '#1042' },
					{ type: 'text', text: 'Monday' },
				],
			},
		],
	});
	expect(rendered.body).toBe('Hi Asha, your order #1042 ships on Monday.');
	expect(signPayload('{"a":1}', 'secret')).toBe(
		'sha256=' + require('node:crypto').createHmac('sha256', 'secret').update('{"a":1}').digest('hex'),
	);
});
