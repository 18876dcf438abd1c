// What the template e2e tests share, so that one-process n8n (templates-broadcast, templates-events)
// and queue mode (queue-mode) get the same inputs and are held to the same outcomes: the approved
// template the broadcast's sticky note asks for, the broadcast's audience, a customer's WhatsApp text
// as Meta sends it, the three credentials (Graph API stand-in, real service), and the consent
// keeper's whole conversation.
import { randomBytes } from 'node:crypto';
import type { IDataObject } from 'n8n-workflow';
import {
	DEFAULT_PHONE_NUMBER_ID,
	DEFAULT_WABA_ID,
	IG_ACCOUNT_ID,
	IG_PAGE_ID,
	webhooks,
	type WhatsAppState,
} from '../../sandbox';
import type { TemplateDefinition } from '../../sandbox/whatsapp';
import type { CredentialToImport } from './harness';

/** The approved template the broadcast's sticky note asks the user to create. */
export const NEW_POST_ALERT: TemplateDefinition = {
	id: '900000000000077',
	name: 'new_post_alert',
	language: 'en',
	status: 'APPROVED',
	category: 'MARKETING',
	parameter_format: 'POSITIONAL',
	components: [
		{ type: 'HEADER', format: 'IMAGE', example: { header_handle: ['4::aW...'] } },
		{
			type: 'BODY',
			text: 'Hi {{1}}! New on our Instagram: {{2}}',
			example: { body_text: [['Asha', 'Monsoon chai is here']] },
		},
		{ type: 'FOOTER', text: 'Reply STOP to opt out' },
		{
			type: 'BUTTONS',
			buttons: [{ type: 'URL', text: 'See the post', url: 'https://www.instagram.com/{{1}}', example: ['p/abc/'] }],
		},
	],
};

/** A customer's WhatsApp text message, as Meta's webhook delivers it. */
export function whatsappText(from: string, text: string, name = 'Customer'): IDataObject {
	return {
		object: 'whatsapp_business_account',
		entry: [
			{
				id: DEFAULT_WABA_ID,
				changes: [
					{
						field: 'messages',
						value: {
							messaging_product: 'whatsapp',
							metadata: { display_phone_number: '15550000000', phone_number_id: DEFAULT_PHONE_NUMBER_ID },
							contacts: [{ profile: { name }, wa_id: from }],
							messages: [
								{
									from,
									id: `wamid.${randomBytes(10).toString('hex')}`,
									timestamp: String(Math.floor(Date.now() / 1000)),
									type: 'text',
									text: { body: text },
								},
							],
						},
					},
				],
			},
		],
	};
}

/** The ids and names the templates' credential references are rewired to. */
export type TemplateCredentialIds = Record<
	'tiltedPromptsApi' | 'whatsAppCloudApi' | 'instagramApi',
	{ id: string; name: string }
>;

/** The three credentials for `importCredentials`: the service (its URL, key, signing secret) and the stand-in (tokens). */
export function templateCredentials(
	ids: TemplateCredentialIds,
	options: {
		serviceUrl: string;
		apiKey: string;
		signingSecret?: string;
		graphUrl: string;
		whatsAppToken: string;
		instagramToken: string;
	},
): CredentialToImport[] {
	return [
		{
			...ids.tiltedPromptsApi,
			type: 'tiltedPromptsApi',
			data: {
				baseUrl: options.serviceUrl,
				apiKey: options.apiKey,
				...(options.signingSecret ? { signingSecret: options.signingSecret } : {}),
			},
		},
		{
			...ids.whatsAppCloudApi,
			type: 'whatsAppCloudApi',
			data: {
				accessToken: options.whatsAppToken,
				businessAccountId: DEFAULT_WABA_ID,
				apiVersion: 'v23.0',
				baseUrl: options.graphUrl,
			},
		},
		{
			...ids.instagramApi,
			type: 'instagramApi',
			data: {
				loginType: 'facebook',
				accessToken: options.instagramToken,
				accountId: IG_ACCOUNT_ID,
				pageId: IG_PAGE_ID,
				apiVersion: 'v24.0',
				baseUrl: `${options.graphUrl}/graph.facebook.com`,
			},
		},
	];
}

/** Each test's own poller (with its own diagnostics on timeout). */
export type WaitFor = <T>(
	probe: () => Promise<T | undefined> | T | undefined,
	what: string,
	timeoutMs?: number,
) => Promise<T>;

/** The part of the real service the scenarios use. */
interface Service {
	url: string;
	proKey: string;
	db: { pool: { query(text: string, values?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }> } };
	postMeta(body: unknown): Promise<Response>;
}

/** The broadcast's audience: who is tagged `customers`, with which consent, and a username customer (BSUID only). */
export interface Audience {
	customers: Array<{ wa_id: string; name: string }>;
	optedOut: string;
	unknown: string;
	otherTag: string;
	usernameCustomer: { user_id: string; username: string; name: string };
}

/**
 * Imports the audience into the service; the username customer writes START and the shop tags them
 * like the others. Returns the username customer as the service then shows them.
 */
export async function seedAudience(service: Service, audience: Audience): Promise<IDataObject> {
	const contacts = [
		...audience.customers.map((c) => ({ ...c, tags: ['customers'], consent: 'opted_in' })),
		{ wa_id: audience.optedOut, name: 'Opted out', tags: ['customers'], consent: 'opted_out' },
		{ wa_id: audience.unknown, name: 'Never asked', tags: ['customers'], consent: 'unknown' },
		{ wa_id: audience.otherTag, name: 'Supplier', tags: ['suppliers'], consent: 'opted_in' },
	];
	const imported = await fetch(`${service.url}/api/v1/contacts`, {
		method: 'POST',
		headers: { authorization: `Bearer ${service.proKey}`, 'content-type': 'application/json' },
		body: JSON.stringify({ contacts }),
	});
	expect(imported.status).toBe(200);
	const start = await service.postMeta(
		webhooks.inboundText(audience.usernameCustomer, 'START', `wamid.${randomBytes(10).toString('hex')}`),
	);
	expect(start.status).toBe(200);
	const tagged = await fetch(`${service.url}/api/v1/contacts/${audience.usernameCustomer.user_id}`, {
		method: 'PUT',
		headers: { authorization: `Bearer ${service.proKey}`, 'content-type': 'application/json' },
		body: JSON.stringify({ tags: ['customers'] }),
	});
	expect(tagged.status).toBe(200);
	return (await tagged.json()) as IDataObject;
}

/** The subscription a published TiltedPrompts Trigger registered for an event type. */
export async function subscriptionFor(service: Service, eventType: string, waitFor: WaitFor): Promise<IDataObject> {
	return await waitFor(async () => {
		const res = await fetch(`${service.url}/api/v1/subscriptions`, {
			headers: { authorization: `Bearer ${service.proKey}` },
		});
		const { data } = (await res.json()) as { data: IDataObject[] };
		return data.find((s) => (s.event_types as string[]).includes(eventType));
	}, `the ${eventType} subscription`);
}

/** Published and live: a forged delivery to the trigger's URL gets the trigger's own 401. */
export async function triggerLive(subscription: IDataObject, waitFor: WaitFor): Promise<void> {
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

/**
 * The consent keeper's conversation, with the published template live: the customer writes STOP,
 * then an ordinary message, then START. The service records each consent change and the workflow
 * confirms STOP and START on WhatsApp (and answers nothing else).
 */
export async function consentKeeperConversation(options: {
	service: Service;
	whatsapp: WhatsAppState;
	customer: string;
	waitFor: WaitFor;
}): Promise<void> {
	const { service, whatsapp: wa, customer, waitFor } = options;
	const textsTo = (to: string) =>
		wa.messages.filter((m) => m.to === to).map((m) => (m.body.text as { body: string }).body);
	const consent = async () =>
		(await service.db.pool.query('SELECT consent FROM contacts WHERE wa_id = $1', [customer])).rows;

	expect((await service.postMeta(whatsappText(customer, '  Stop '))).status).toBe(200);
	await waitFor(() => (textsTo(customer).length >= 1 ? true : undefined), 'the opt-out confirmation');
	expect(textsTo(customer)[0]).toMatch(/^You're unsubscribed/);
	expect(await consent()).toEqual([{ consent: 'opted_out' }]);

	expect((await service.postMeta(whatsappText(customer, 'hello, is the shop open?'))).status).toBe(200);
	expect((await service.postMeta(whatsappText(customer, 'START'))).status).toBe(200);
	await waitFor(() => (textsTo(customer).length >= 2 ? true : undefined), 'the opt-in confirmation');
	expect(textsTo(customer)[1]).toMatch(/^Welcome back!/);
	expect(await consent()).toEqual([{ consent: 'opted_in' }]);

	// Every delivery (three messages) has been answered by now; the ordinary message got no reply.
	await waitFor(async () => {
		const { rows } = await service.db.pool.query(
			`SELECT count(*)::int AS n FROM deliveries WHERE status = 'succeeded' AND event_type = 'whatsapp.message'`,
		);
		return (rows[0].n as number) >= 3 ? true : undefined;
	}, 'all three deliveries');
	expect(textsTo(customer)).toHaveLength(2);
	expect(wa.messages.every((m) => m.phoneNumberId === DEFAULT_PHONE_NUMBER_ID)).toBe(true);
}
