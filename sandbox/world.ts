/**
 * The Meta sandbox's simulated world (pure data and pure functions): the business's WhatsApp
 * templates, the simulated customers, and how a template message looks on a customer's phone.
 */
import type { DeliveryStatus, StatusError } from './meta-webhooks';
import type { TemplateDefinition } from './whatsapp';

/** Input the sandbox refuses (an unknown customer, a missing field): the page gets a 400 with the message. */
export class SandboxInputError extends Error {}

export interface Customer {
	/** Stable id for the page and its API. */
	id: string;
	name: string;
	/** WhatsApp id (phone number, digits); absent for a username-only customer. */
	waId?: string;
	/** Business-scoped user id (`CC.<digits>`), present for everyone since 2026. */
	bsuid: string;
	username?: string;
	/** Consent the business has on file (seeded into the service as a contact, by phone number or BSUID). */
	consent: 'opted_in' | 'opted_out';
	/** Not on WhatsApp: messages to them fail with 131026. */
	undeliverable?: boolean;
	/** Opens messages (so they reach "read"). */
	reads: boolean;
}

export const CUSTOMERS: Customer[] = [
	{
		id: 'asha',
		name: 'Asha Rao',
		waId: '919812345601',
		bsuid: 'IN.10493820571234567801',
		consent: 'opted_in',
		reads: true,
	},
	{
		id: 'vikram',
		name: 'Vikram Shah',
		waId: '919812345602',
		bsuid: 'IN.10493820571234567802',
		consent: 'opted_in',
		reads: false,
	},
	{
		id: 'meera',
		name: 'Meera Iyer',
		waId: '919812345603',
		bsuid: 'IN.10493820571234567803',
		consent: 'opted_in',
		reads: true,
	},
	{
		id: 'rahul',
		name: 'Rahul Verma',
		waId: '919812345604',
		bsuid: 'IN.10493820571234567804',
		consent: 'opted_out',
		reads: true,
	},
	{
		id: 'karan',
		name: 'Karan Mehta',
		waId: '919812345605',
		bsuid: 'IN.10493820571234567805',
		consent: 'opted_in',
		undeliverable: true,
		reads: false,
	},
	{
		id: 'chailover',
		name: 'Chai Lover',
		bsuid: 'US.13491208655302741918',
		username: 'chai.lover',
		consent: 'opted_in',
		reads: true,
	},
];

/**
 * What happens to a message the business sent this customer, as delivery statuses in order: not on
 * WhatsApp → failed 131026; a marketing template after the customer stopped marketing messages in
 * WhatsApp → failed 131050; otherwise sent → delivered (→ read when they open messages).
 */
export function deliveryPlan(
	customer: Customer,
	marketing: boolean,
	stoppedMarketing: boolean,
): Array<{ status: DeliveryStatus; error?: StatusError }> {
	if (customer.undeliverable)
		return [
			{
				status: 'failed',
				error: {
					code: 131026,
					title: 'Message undeliverable',
					details: 'The recipient is not a WhatsApp user or has not accepted the latest terms.',
				},
			},
		];
	if (marketing && stoppedMarketing)
		return [
			{
				status: 'failed',
				error: {
					code: 131050,
					title: 'User has stopped marketing messages',
					details: 'The customer turned off marketing messages from this business in WhatsApp.',
				},
			},
		];
	return customer.reads
		? [{ status: 'sent' }, { status: 'delivered' }, { status: 'read' }]
		: [{ status: 'sent' }, { status: 'delivered' }];
}

/** The audience tag the templates' campaigns use. */
export const CUSTOMER_TAG = 'customers';

/** Approved templates in the sandbox's WhatsApp Business Account. */
export function sandboxTemplates(): TemplateDefinition[] {
	return [
		{
			id: '910000000000001',
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
					buttons: [
						{ type: 'URL', text: 'See the post', url: 'https://www.instagram.com/{{1}}', example: ['p/abc/'] },
						{ type: 'QUICK_REPLY', text: 'Stop promotions' },
					],
				},
			],
		},
		{
			id: '910000000000002',
			name: 'order_update',
			language: 'en',
			status: 'APPROVED',
			category: 'UTILITY',
			parameter_format: 'POSITIONAL',
			components: [
				{
					type: 'BODY',
					text: 'Hi {{1}}, your order {{2}} ships on {{3}}.',
					example: { body_text: [['Asha', '#1042', 'Monday']] },
				},
				{ type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Track order' }] },
			],
		},
		{
			id: '910000000000003',
			name: 'hello_world',
			language: 'en_US',
			status: 'APPROVED',
			category: 'UTILITY',
			components: [{ type: 'BODY', text: 'Hello World' }],
		},
		{
			id: '910000000000004',
			name: 'weekend_offer',
			language: 'en',
			status: 'APPROVED',
			category: 'MARKETING',
			parameter_format: 'POSITIONAL',
			components: [
				{
					type: 'BODY',
					text: 'Hi {{1}}! This weekend only: 20% off every chai blend in our shop.',
					example: { body_text: [['Asha']] },
				},
				{ type: 'FOOTER', text: 'Reply STOP to opt out' },
			],
		},
	];
}

export interface RenderedButton {
	type: string;
	text: string;
	url?: string;
	/** Quick-reply payload the tap sends back. */
	payload?: string;
}

/** A message as the customer's phone shows it. */
export interface RenderedMessage {
	kind: string;
	header?: { type: 'image' | 'video' | 'document' | 'text'; url?: string; text?: string };
	body: string;
	footer?: string;
	buttons: RenderedButton[];
	/** Template name and category, when it was a template. */
	template?: { name: string; category: string };
}

type Params = Array<Record<string, unknown>>;

function paramText(p: Record<string, unknown>): string {
	if (typeof p.text === 'string') return p.text;
	if (p.type === 'currency') return String((p.currency as Record<string, unknown>)?.fallback_value ?? '');
	if (p.type === 'date_time') return String((p.date_time as Record<string, unknown>)?.fallback_value ?? '');
	if (typeof p.payload === 'string') return p.payload;
	return '';
}

/** Fills {{1}} / {{name}} placeholders with the parameters sent (by position or parameter_name). */
export function fillPlaceholders(text: string, params: Params | undefined): string {
	const list = params ?? [];
	let position = 0;
	const seen = new Map<string, string>();
	return text.replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (_, key: string) => {
		if (seen.has(key)) return seen.get(key)!;
		const named = list.find((p) => p.parameter_name === key);
		const value = named
			? paramText(named)
			: /^\d+$/.test(key)
				? paramText(list[Number(key) - 1] ?? {})
				: paramText(list[position] ?? {});
		position++;
		seen.set(key, value);
		return value;
	});
}

function mediaLink(p: Record<string, unknown> | undefined, type: string): string | undefined {
	const media = p?.[type] as Record<string, unknown> | undefined;
	return typeof media?.link === 'string' ? media.link : typeof media?.id === 'string' ? `media:${media.id}` : undefined;
}

/** Renders a template send against its definition: header media, body and buttons filled in. */
export function renderTemplate(def: TemplateDefinition | undefined, sent: Record<string, unknown>): RenderedMessage {
	const components = (sent.components as Array<Record<string, unknown>> | undefined) ?? [];
	const part = (type: string) => components.find((c) => String(c.type).toLowerCase() === type);
	const name = String(sent.name);
	if (!def) return { kind: 'template', body: `(template ${name})`, buttons: [], template: { name, category: '?' } };
	const rendered: RenderedMessage = {
		kind: 'template',
		body: '',
		buttons: [],
		template: { name: def.name, category: def.category },
	};
	for (const component of def.components) {
		if (component.type === 'HEADER') {
			const format = String(component.format ?? 'TEXT').toLowerCase() as 'image' | 'video' | 'document' | 'text';
			const params = part('header')?.parameters as Params | undefined;
			rendered.header =
				format === 'text'
					? { type: 'text', text: fillPlaceholders(String(component.text ?? ''), params) }
					: { type: format, url: mediaLink(params?.[0], format) };
		} else if (component.type === 'BODY') {
			rendered.body = fillPlaceholders(String(component.text ?? ''), part('body')?.parameters as Params | undefined);
		} else if (component.type === 'FOOTER') {
			rendered.footer = String(component.text ?? '');
		} else if (component.type === 'BUTTONS') {
			const buttons = (component.buttons as Array<Record<string, unknown>>) ?? [];
			buttons.forEach((button, index) => {
				const sentButton = components.find(
					(c) => String(c.type).toLowerCase() === 'button' && Number(c.index) === index,
				);
				const params = sentButton?.parameters as Params | undefined;
				const text = String(button.text ?? (button.type === 'COPY_CODE' ? 'Copy code' : button.type));
				if (button.type === 'URL')
					rendered.buttons.push({ type: 'url', text, url: fillPlaceholders(String(button.url ?? ''), params) });
				else if (button.type === 'QUICK_REPLY')
					rendered.buttons.push({ type: 'quick_reply', text, payload: params?.[0] ? paramText(params[0]) : text });
				else rendered.buttons.push({ type: String(button.type).toLowerCase(), text });
			});
		}
	}
	return rendered;
}

/** Renders any message the business sent (templates in full; other types as their text). */
export function renderMessage(templates: TemplateDefinition[], body: Record<string, unknown>): RenderedMessage {
	const type = String(body.type ?? 'text');
	if (type === 'template') {
		const sent = (body.template ?? {}) as Record<string, unknown>;
		const code = (sent.language as Record<string, unknown> | undefined)?.code;
		return renderTemplate(
			templates.find((t) => t.name === sent.name && t.language === code),
			sent,
		);
	}
	const content = (body[type] ?? {}) as Record<string, unknown>;
	if (type === 'text') return { kind: 'text', body: String(content.body ?? ''), buttons: [] };
	if (['image', 'video', 'document'].includes(type)) {
		return {
			kind: type,
			header: { type: type as 'image', url: typeof content.link === 'string' ? content.link : undefined },
			body: String(content.caption ?? ''),
			buttons: [],
		};
	}
	if (type === 'interactive') {
		const action = (content.action ?? {}) as Record<string, unknown>;
		const buttons = ((action.buttons as Array<Record<string, unknown>>) ?? []).map((b) => {
			const reply = (b.reply ?? {}) as Record<string, unknown>;
			return { type: 'quick_reply', text: String(reply.title ?? ''), payload: String(reply.id ?? reply.title ?? '') };
		});
		return {
			kind: 'interactive',
			body: String((content.body as Record<string, unknown> | undefined)?.text ?? ''),
			buttons,
		};
	}
	return { kind: type, body: `(${type} message)`, buttons: [] };
}
