/**
 * The Meta sandbox: the Graph API stand-in (WhatsApp + Instagram modules) plus simulated customers
 * who receive what the business sends, delivery statuses and replies sent to the service as Meta's
 * signed webhooks, an Instagram account with posts and comments, and a web page to watch and act.
 *
 * `startSandbox({ webhook: { url, appSecret, verifyToken } })` → { url, … }. Without `webhook`
 * everything works but no webhook leaves the sandbox (the page says so).
 */
import { randomBytes } from 'node:crypto';
import { startGraphStandIn, type GraphStandIn } from './core';
import { igTimestamp, instagram, type InstagramState } from './instagram';
import {
	inboundMessage,
	statusOf,
	userPreferences,
	type DeliveryStatus,
	type InboundContent,
	type WhatsAppPerson,
	type WhatsAppSender,
} from './meta-webhooks';
import { createDeliverer, commentWebhook, type Deliverer, type WebhookTarget } from './webhooks';
import {
	DEFAULT_PHONE_NUMBER_ID,
	DEFAULT_WABA_ID,
	defaultPhoneNumbers,
	whatsapp,
	type AcceptedMessage,
	type WhatsAppState,
} from './whatsapp';
import { createSite } from './site';
import {
	CUSTOMERS,
	deliveryPlan,
	renderMessage,
	sandboxTemplates,
	SandboxInputError,
	type Customer,
	type RenderedMessage,
} from './world';

export interface SandboxOptions {
	port?: number;
	host?: string;
	/** Access token the Graph API accepts (others get 190). Default: any token. */
	accessToken?: string;
	webhook?: WebhookTarget;
	/** Delay between delivery statuses (sent → delivered → read), ms. Default 600. */
	statusStepMs?: number;
	customers?: Customer[];
}

export interface ChatEntry {
	id: string;
	direction: 'out' | 'in';
	at: number;
	message: RenderedMessage;
	status?: DeliveryStatus | 'accepted';
	error?: string;
}

export interface Sandbox {
	url: string;
	graph: GraphStandIn;
	deliverer: Deliverer;
	customers: Customer[];
	chats: Map<string, ChatEntry[]>;
	/** Changes with every visible change (the page polls it). */
	version(): number;
	reply(customerId: string, content: InboundContent): Promise<ChatEntry>;
	setPreference(customerId: string, value: 'stop' | 'resume'): Promise<void>;
	publishPost(caption: string): Promise<{ id: string }>;
	comment(mediaId: string, username: string, text: string): Promise<{ id: string }>;
	/** Resolves when every status and webhook scheduled so far has gone out. */
	settled(): Promise<void>;
	close(): Promise<void>;
}

const wamid = () => `wamid.${randomBytes(24).toString('base64url')}`;

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
	const customers = options.customers ?? CUSTOMERS.map((c) => ({ ...c }));
	const chats = new Map<string, ChatEntry[]>(customers.map((c) => [c.id, []]));
	const stoppedMarketing = new Set<string>();
	const deliverer = createDeliverer(options.webhook);
	const stepMs = options.statusStepMs ?? 600;
	const timers = new Set<NodeJS.Timeout>();
	const pending = new Set<Promise<unknown>>();
	let version = 1;
	const phone = defaultPhoneNumbers()[0];
	const sender: WhatsAppSender = {
		wabaId: DEFAULT_WABA_ID,
		phoneNumberId: DEFAULT_PHONE_NUMBER_ID,
		displayPhoneNumber: phone.display_phone_number,
	};
	const track = <T>(promise: Promise<T>): Promise<T> => {
		pending.add(promise);
		void promise.finally(() => pending.delete(promise)).catch(() => undefined);
		return promise;
	};
	const later = (ms: number, run: () => void) => {
		const timer = setTimeout(() => {
			timers.delete(timer);
			run();
		}, ms);
		timers.add(timer);
	};
	const person = (c: Customer): WhatsAppPerson => ({
		wa_id: c.waId,
		user_id: c.bsuid,
		username: c.username,
		name: c.name,
	});

	/** A message Meta accepted: it lands in the customer's chat and its statuses follow, as webhooks. */
	const deliver = (message: AcceptedMessage) => {
		// Meta routes by the phone number in `to`, or by the BSUID in `recipient` (a username-only customer).
		const customer = customers.find((c) => (c.waId !== undefined && c.waId === message.to) || c.bsuid === message.to);
		if (!customer) return;
		const wa = sandbox.graph.state.whatsapp as WhatsAppState;
		const rendered = renderMessage(wa.templates, message.body);
		const entry: ChatEntry = {
			id: message.wamid,
			direction: 'out',
			at: message.at,
			message: rendered,
			status: 'accepted',
		};
		chats.get(customer.id)!.push(entry);
		version++;
		const marketing = rendered.template?.category === 'MARKETING';
		const steps = deliveryPlan(customer, marketing, stoppedMarketing.has(customer.id));
		steps.forEach((step, index) =>
			later(stepMs * (index + 1), () => {
				entry.status = step.status;
				if (step.error) entry.error = `${step.error.code}: ${step.error.title}`;
				version++;
				track(
					deliverer.send(
						`status ${step.status}`,
						statusOf(person(customer), entry.id, step.status, step.error, Date.now(), sender),
					),
				);
			}),
		);
	};

	const customer = (id: string) => {
		const found = customers.find((c) => c.id === id);
		if (!found) throw new SandboxInputError(`no customer "${id}" (known: ${customers.map((c) => c.id).join(', ')})`);
		return found;
	};
	const ig = () => sandbox.graph.state.instagram as InstagramState;

	/** Changes with every visible change, including those made through the Graph API (replies, publishing). */
	const currentVersion = () => version + ig().media.length + ig().comments.length + ig().messages.length;

	const stateJson = () => {
		const account = ig();
		return {
			version: currentVersion(),
			business: {
				name: phone.verified_name,
				phone: phone.display_phone_number,
				phoneNumberId: DEFAULT_PHONE_NUMBER_ID,
				wabaId: DEFAULT_WABA_ID,
			},
			webhooks: {
				state: deliverer.state,
				problem: deliverer.problem,
				target: options.webhook?.url ?? null,
				recent: deliverer.log.slice(-20),
			},
			customers: customers.map((c) => ({
				id: c.id,
				name: c.name,
				waId: c.waId ?? null,
				bsuid: c.bsuid,
				username: c.username ?? null,
				consent: c.consent,
				undeliverable: Boolean(c.undeliverable),
				stoppedMarketing: stoppedMarketing.has(c.id),
				chat: chats.get(c.id),
			})),
			instagram: {
				username: account.username,
				posts: account.media
					.filter((m) => !m.isCarouselItem && !m.foreign)
					.map((m) => ({
						id: m.id,
						caption: m.caption ?? '',
						media_url: m.media_url,
						permalink: m.permalink,
						timestamp: m.timestamp,
						comments: account.comments
							.filter((c) => c.media_id === m.id)
							.map((c) => ({
								id: c.id,
								username: c.username,
								text: c.text,
								parent_id: c.parent_id ?? null,
								timestamp: c.timestamp,
								private_reply: account.messages.find((x) => x.recipient.comment_id === c.id)?.text ?? null,
							})),
					})),
			},
		};
	};

	const graph = await startGraphStandIn({
		host: options.host,
		port: options.port,
		validTokens: options.accessToken ? [options.accessToken] : undefined,
		site: (req, res) => site(req, res),
		modules: [whatsapp({ templates: sandboxTemplates(), onAccepted: (m) => deliver(m) }), instagram()],
	});

	let posts = 0;
	const site = createSite({ state: stateJson, sandbox: () => sandbox });
	const sandbox: Sandbox = {
		url: graph.url,
		graph,
		deliverer,
		customers,
		chats,
		version: currentVersion,
		async reply(customerId, content) {
			const who = customer(customerId);
			const entry: ChatEntry = {
				id: wamid(),
				direction: 'in',
				at: Date.now(),
				message: { kind: content.type, body: content.text, buttons: [] },
				status: 'sent',
			};
			chats.get(who.id)!.push(entry);
			version++;
			const result = await track(
				deliverer.send('message', inboundMessage(person(who), content, entry.id, entry.at, sender)),
			);
			if (result.status !== 200) entry.error = `webhook not accepted: ${result.status} ${result.detail}`;
			return entry;
		},
		async setPreference(customerId, value) {
			const who = customer(customerId);
			if (value === 'stop') stoppedMarketing.add(who.id);
			else stoppedMarketing.delete(who.id);
			version++;
			await track(deliverer.send('user_preferences', userPreferences(person(who), value, Date.now(), sender)));
		},
		async publishPost(caption) {
			posts++;
			const id = `${Date.now()}${posts}`.slice(-17);
			const media = ig().addMedia({ id, caption, media_url: `${graph.url}/sandbox/media/post-${id}.svg` });
			version++;
			return { id: media.id };
		},
		async comment(mediaId, username, text) {
			const from = {
				id: `17${String(Math.abs([...username].reduce((h, c) => (h * 33 + c.charCodeAt(0)) | 0, 5))).padStart(13, '0')}`,
				username,
			};
			const item = ig().addComment(mediaId, { text, username, from });
			version++;
			await track(
				deliverer.send('comments', commentWebhook(ig().accountId, { id: item.id, text, from, mediaId }, Date.now())),
			);
			return { id: item.id };
		},
		async settled() {
			while (timers.size > 0 || pending.size > 0) {
				await Promise.all([...pending]);
				if (timers.size > 0) await new Promise((resolve) => setTimeout(resolve, 20));
			}
		},
		async close() {
			for (const timer of timers) clearTimeout(timer);
			timers.clear();
			await graph.close();
		},
	};

	// The Instagram account starts with two posts and a comment, made hours ago.
	const hour = 3600_000;
	const first = ig().addMedia({
		id: '17900000000000101',
		caption: 'Masala chai season is here ☕ #chai',
		media_url: `${graph.url}/sandbox/media/post-101.svg`,
		timestamp: igTimestamp(Date.now() - 30 * hour),
	});
	ig().addMedia({
		id: '17900000000000102',
		caption: 'New: cardamom cookies',
		media_url: `${graph.url}/sandbox/media/post-102.svg`,
		timestamp: igTimestamp(Date.now() - 6 * hour),
	});
	ig().addComment(first.id, {
		text: 'Price please?',
		username: 'priya.eats',
		from: { id: '17800000000000201', username: 'priya.eats' },
		timestamp: igTimestamp(Date.now() - 29 * hour),
	});
	return sandbox;
}
