/**
 * WhatsApp Cloud API module of the Graph API stand-in (see ./core.ts for the plug-in interface).
 *
 * Every request body is validated against Meta's OpenAPI spec (./openapi.ts) when the spec file is
 * available (META_OPENAPI_SPEC; otherwise requests are unchecked); an invalid one is logged (`request.validationErrors`) and answered as Meta would (code 100, details = the problems).
 * Limits: `mpsLimit` messages per second per phone number (sliding 1 s window → 130429) and one
 * message per `pairRateWindowMs` per recipient (→ 131056). Templates are checked like Meta does:
 * unknown name/language → 132001, parameter count mismatch → 132000, header type mismatch → 132012.
 *
 * State (`graph.state.whatsapp`, type WhatsAppState): accepted messages, media, templates, counters.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { RouteContext, RouteResult, StandInModule } from './core';
import { specAvailable, validateRequestBody } from './openapi';

export interface TemplateDefinition {
	id: string;
	name: string;
	language: string;
	status: string;
	category: string;
	components: Array<Record<string, unknown>>;
	parameter_format?: 'POSITIONAL' | 'NAMED';
}

export interface PhoneNumberDefinition {
	id: string;
	display_phone_number: string;
	verified_name: string;
	quality_rating: string;
	code_verification_status?: string;
	platform_type?: string;
	throughput?: { level: string };
	messaging_limit_tier?: string;
}

export interface WhatsAppStandInOptions {
	wabaId?: string;
	phoneNumbers?: PhoneNumberDefinition[];
	templates?: TemplateDefinition[];
	/** Messages per second per phone number (sliding 1 s window). Default 80. 0 = unlimited. */
	mpsLimit?: number;
	/** Length of the throughput window, ms (default 1000; tests lengthen it to be timing-proof). */
	mpsWindowMs?: number;
	/** Minimum spacing of messages to one recipient, ms. Default 6000. 0 = off. */
	pairRateWindowMs?: number;
	/** Answer spec-invalid requests with error 100 (default true). */
	rejectInvalid?: boolean;
	/** Called for each message Meta accepted (the sandbox delivers it to a simulated customer). */
	onAccepted?: (message: AcceptedMessage) => void;
	/** The business accepted the Marketing Messages API terms (default true); false: /marketing_messages refuses every send. */
	marketingMessagesOnboarded?: boolean;
}

export interface AcceptedMessage {
	wamid: string;
	phoneNumberId: string;
	to: string;
	type: string;
	body: Record<string, unknown>;
	at: number;
	/** The endpoint it was POSTed to. */
	endpoint: 'messages' | 'marketing_messages';
}

export interface WhatsAppState {
	wabaId: string;
	phoneNumbers: PhoneNumberDefinition[];
	templates: TemplateDefinition[];
	messages: AcceptedMessage[];
	reads: Array<{ messageId: string; typing: boolean }>;
	media: Map<string, { data: Buffer; mime_type: string; sha256: string; file_size: number; filename?: string }>;
	counters: { mps429: number; pair131056: number; invalid: number };
	options: Required<
		Pick<
			WhatsAppStandInOptions,
			'mpsLimit' | 'mpsWindowMs' | 'pairRateWindowMs' | 'rejectInvalid' | 'marketingMessagesOnboarded'
		>
	>;
}

export const DEFAULT_WABA_ID = '102290129340398';
export const DEFAULT_PHONE_NUMBER_ID = '106540352242922';

export function defaultPhoneNumbers(): PhoneNumberDefinition[] {
	return [
		{
			id: DEFAULT_PHONE_NUMBER_ID,
			display_phone_number: '+91 98000 00000',
			verified_name: 'Chai Point Store',
			quality_rating: 'GREEN',
			code_verification_status: 'VERIFIED',
			platform_type: 'CLOUD_API',
			throughput: { level: 'STANDARD' },
			messaging_limit_tier: 'TIER_1K',
		},
		{
			id: '106540352242923',
			display_phone_number: '+91 98000 00001',
			verified_name: 'Chai Point Support',
			quality_rating: 'YELLOW',
			code_verification_status: 'VERIFIED',
			platform_type: 'CLOUD_API',
			throughput: { level: 'HIGH' },
			messaging_limit_tier: 'TIER_10K',
		},
	];
}

export function defaultTemplates(): TemplateDefinition[] {
	return [
		{
			id: '900000000000001',
			name: 'hello_world',
			language: 'en_US',
			status: 'APPROVED',
			category: 'UTILITY',
			components: [{ type: 'BODY', text: 'Hello World' }],
		},
		{
			id: '900000000000002',
			name: 'new_post_video',
			language: 'en',
			status: 'APPROVED',
			category: 'MARKETING',
			parameter_format: 'POSITIONAL',
			components: [
				{ type: 'HEADER', format: 'VIDEO', example: { header_handle: ['4::aW...'] } },
				{
					type: 'BODY',
					text: 'Hi {{1}}, our new reel is live: {{2}}',
					example: { body_text: [['Asha', 'Diwali offers']] },
				},
				{ type: 'FOOTER', text: 'Reply STOP to opt out' },
				{
					type: 'BUTTONS',
					buttons: [
						{ type: 'URL', text: 'Watch', url: 'https://shop.example.com/p/{{1}}', example: ['reel-1'] },
						{ type: 'QUICK_REPLY', text: 'Stop promotions' },
					],
				},
			],
		},
		{
			id: '900000000000003',
			name: 'new_post_image',
			language: 'en',
			status: 'APPROVED',
			category: 'MARKETING',
			parameter_format: 'POSITIONAL',
			components: [
				{ type: 'HEADER', format: 'IMAGE', example: { header_handle: ['4::aW...'] } },
				{
					type: 'BODY',
					text: 'Hi {{1}}, {{2}} is back in stock at {{3}}.',
					example: { body_text: [['Asha', 'Masala chai', '₹199']] },
				},
				{
					type: 'BUTTONS',
					buttons: [{ type: 'URL', text: 'Buy now', url: 'https://shop.example.com/{{1}}', example: ['masala-chai'] }],
				},
			],
		},
		{
			id: '900000000000004',
			name: 'order_update',
			language: 'en_US',
			status: 'APPROVED',
			category: 'UTILITY',
			components: [
				{ type: 'HEADER', format: 'TEXT', text: 'Order {{1}}', example: { header_text: ['#123'] } },
				{ type: 'BODY', text: 'Your order ships on {{1}}.', example: { body_text: [['Monday']] } },
				{ type: 'BUTTONS', buttons: [{ type: 'COPY_CODE', example: 'SAVE10' }] },
			],
		},
		{
			id: '900000000000005',
			name: 'invoice_pdf',
			language: 'hi',
			status: 'APPROVED',
			category: 'UTILITY',
			components: [
				{ type: 'HEADER', format: 'DOCUMENT', example: { header_handle: ['4::aW...'] } },
				{ type: 'BODY', text: 'नमस्ते {{1}}, आपका बिल संलग्न है।', example: { body_text: [['Asha']] } },
			],
		},
		{
			id: '900000000000006',
			name: 'paused_promo',
			language: 'en',
			status: 'PAUSED',
			category: 'MARKETING',
			components: [{ type: 'BODY', text: 'Sale!' }],
		},
	];
}

function wamid(): string {
	return `wamid.${randomBytes(24)
		.toString('base64')
		.replace(/[^A-Za-z0-9]/g, 'Q')}`;
}

function placeholders(text: unknown): number {
	if (typeof text !== 'string') return 0;
	return new Set(Array.from(text.matchAll(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g), (m) => m[1])).size;
}

/** Meta's template checks, in Meta's codes. Returns an error spec or undefined. */
/**
 * Why /marketing_messages refuses a send, or undefined: the business is not onboarded (Meta's spec
 * gives no code for it; the error names the API and the missing onboarding, as Meta's message does),
 * or the template is not a MARKETING one.
 */
export function marketingRefusal(
	wa: Pick<WhatsAppState, 'templates' | 'options'>,
	body: Record<string, unknown>,
): { code: number; message?: string; details: string } | undefined {
	if (!wa.options.marketingMessagesOnboarded) {
		return {
			code: 100,
			message:
				'(#100) This business is not onboarded to the Marketing Messages API: accept its terms of service in WhatsApp Manager.',
			details: 'Marketing Messages API terms of service not accepted',
		};
	}
	const template = (body.template ?? {}) as { name?: string; language?: { code?: string } };
	const def = wa.templates.find((t) => t.name === template.name && t.language === template.language?.code);
	if (def && def.category !== 'MARKETING')
		return {
			code: 100,
			details: `Template ${def.name} is ${def.category}: the Marketing Messages API sends MARKETING templates only; use /messages.`,
		};
	return undefined;
}

export function checkTemplateSend(
	templates: TemplateDefinition[],
	template: Record<string, unknown>,
): { code: number; details: string } | undefined {
	const name = template.name as string;
	const language = (template.language as { code?: string } | undefined)?.code;
	const def = templates.find((t) => t.name === name && t.language === language);
	if (!def) return { code: 132001, details: `template name (${name}) does not exist in ${language}` };
	if (def.status === 'PAUSED') return { code: 132015, details: `Template ${name} is paused` };
	if (def.status !== 'APPROVED') return { code: 132001, details: `template ${name} is not approved (${def.status})` };
	const sent = (template.components as Array<Record<string, unknown>> | undefined) ?? [];
	const find = (type: string) => sent.filter((c) => String(c.type).toLowerCase() === type);
	const header = def.components.find((c) => c.type === 'HEADER');
	const body = def.components.find((c) => c.type === 'BODY');
	const headerSent = find('header')[0]?.parameters as Array<Record<string, unknown>> | undefined;
	if (header) {
		const format = String(header.format ?? 'TEXT').toLowerCase();
		if (format === 'text') {
			const expected = placeholders(header.text);
			if ((headerSent?.length ?? 0) !== expected)
				return {
					code: 132000,
					details: `header: number of localizable_params (${headerSent?.length ?? 0}) does not match the expected number of params (${expected})`,
				};
		} else if (['image', 'video', 'document', 'location'].includes(format)) {
			if (!headerSent || headerSent.length !== 1)
				return { code: 132000, details: `header: expected one ${format} parameter, got ${headerSent?.length ?? 0}` };
			if (headerSent[0].type !== format)
				return {
					code: 132012,
					details: `header: Format mismatch, expected ${format.toUpperCase()}, received ${String(headerSent[0].type).toUpperCase()}`,
				};
		}
	} else if (headerSent?.length) {
		return { code: 132000, details: 'header: the template has no header parameters' };
	}
	const bodySent = (find('body')[0]?.parameters as unknown[] | undefined)?.length ?? 0;
	const bodyExpected = placeholders(body?.text);
	if (bodySent !== bodyExpected)
		return {
			code: 132000,
			details: `body: number of localizable_params (${bodySent}) does not match the expected number of params (${bodyExpected})`,
		};
	const buttons =
		(def.components.find((c) => c.type === 'BUTTONS')?.buttons as Array<Record<string, unknown>> | undefined) ?? [];
	for (const component of find('button')) {
		const index = Number(component.index);
		const button = buttons[index];
		if (!button) return { code: 131008, details: `button at index ${index} does not exist in template ${name}` };
		const expectedSub = String(button.type).toLowerCase();
		if (String(component.sub_type).toLowerCase() !== expectedSub)
			return {
				code: 132012,
				details: `button ${index}: expected sub_type ${expectedSub}, received ${String(component.sub_type)}`,
			};
	}
	for (const [index, button] of buttons.entries()) {
		if (
			button.type === 'URL' &&
			placeholders(button.url) > 0 &&
			!find('button').some((c) => Number(c.index) === index)
		) {
			return { code: 132000, details: `button ${index}: URL suffix parameter missing` };
		}
	}
	return undefined;
}

export function whatsapp(opts: WhatsAppStandInOptions = {}): StandInModule {
	return {
		name: 'whatsapp',
		setup(api) {
			const wa: WhatsAppState = {
				wabaId: opts.wabaId ?? DEFAULT_WABA_ID,
				phoneNumbers: opts.phoneNumbers ?? defaultPhoneNumbers(),
				templates: opts.templates ?? defaultTemplates(),
				messages: [],
				reads: [],
				media: new Map(),
				counters: { mps429: 0, pair131056: 0, invalid: 0 },
				options: {
					mpsLimit: opts.mpsLimit ?? 80,
					mpsWindowMs: opts.mpsWindowMs ?? 1000,
					pairRateWindowMs: opts.pairRateWindowMs ?? 6000,
					rejectInvalid: opts.rejectInvalid ?? true,
					marketingMessagesOnboarded: opts.marketingMessagesOnboarded ?? true,
				},
			};
			api.state.whatsapp = wa;
			const checked = specAvailable();
			if (checked) {
				// Compile the spec validators now: a first-request compile would stall the loop for seconds.
				validateRequestBody('POST', '/{Version}/{Phone-Number-ID}/messages', {});
				validateRequestBody('POST', '/{Version}/{WABA-ID}/message_templates', {});
				validateRequestBody('POST', '/{Version}/{Phone-Number-ID}/marketing_messages', {});
			}
			const windows = new Map<string, number[]>();
			const lastByPair = new Map<string, number>();

			const validate = (ctx: RouteContext, method: string, specPath: string): RouteResult | undefined => {
				if (!checked) return undefined;
				const problems = validateRequestBody(method, specPath, ctx.body);
				ctx.request.validationErrors = problems;
				if (problems.length === 0) return undefined;
				wa.counters.invalid++;
				if (!wa.options.rejectInvalid) return undefined;
				return ctx.error({ code: 100, message: '(#100) Invalid parameter', details: problems.join('; ') });
			};
			const phone = (id: string) => wa.phoneNumbers.find((p) => p.id === id);
			const unknownObject = (ctx: RouteContext, id: string) =>
				ctx.error({
					code: 100,
					subcode: 33,
					type: 'GraphMethodException',
					message: `Unsupported ${ctx.request.method.toLowerCase()} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
				});
			const pick = (object: Record<string, unknown>, fields: string | undefined) => {
				if (!fields) return object;
				const wanted = fields.split(',').map((f) => f.trim().split('{')[0]);
				return Object.fromEntries(Object.entries(object).filter(([k]) => k === 'id' || wanted.includes(k)));
			};

			/** POST /messages and /marketing_messages: validated, throttled, pair-rate limited, recorded. */
			const send = (ctx: RouteContext, endpoint: 'messages' | 'marketing_messages'): RouteResult => {
				const invalid = validate(
					ctx,
					'POST',
					endpoint === 'messages'
						? '/{Version}/{Phone-Number-ID}/messages'
						: '/{Version}/{Phone-Number-ID}/marketing_messages',
				);
				if (invalid) return invalid;
				const body = ctx.body as Record<string, unknown>;
				const phoneNumberId = ctx.params.phoneNumberId;
				if (!phone(phoneNumberId)) return unknownObject(ctx, phoneNumberId);
				if (endpoint === 'messages' && body.status === 'read') {
					wa.reads.push({ messageId: String(body.message_id), typing: Boolean(body.typing_indicator) });
					return { body: { success: true } };
				}
				if (endpoint === 'marketing_messages') {
					const refused = marketingRefusal(wa, body);
					if (refused) return ctx.error(refused);
				}
				const now = ctx.request.at;
				if (wa.options.mpsLimit > 0) {
					const window = windows.get(phoneNumberId) ?? [];
					while (window.length && window[0] <= now - wa.options.mpsWindowMs) window.shift();
					if (window.length >= wa.options.mpsLimit) {
						wa.counters.mps429++;
						return ctx.error({
							code: 130429,
							message: '(#130429) Rate limit hit',
							details: `Cloud API message throughput (${wa.options.mpsLimit} messages per second) has been reached.`,
						});
					}
					window.push(now);
					windows.set(phoneNumberId, window);
				}
				// A phone number in `to` (digits), or a business-scoped user ID in `recipient`; `to` wins when both are given (as Meta documents).
				const to = body.to !== undefined ? String(body.to).replace(/\D/g, '') : String(body.recipient);
				if (body.type === 'template') {
					const problem = checkTemplateSend(wa.templates, body.template as Record<string, unknown>);
					if (problem) return ctx.error({ code: problem.code, details: problem.details });
				}
				if (wa.options.pairRateWindowMs > 0) {
					const key = `${phoneNumberId}:${to}`;
					const last = lastByPair.get(key);
					if (last !== undefined && now - last < wa.options.pairRateWindowMs) {
						wa.counters.pair131056++;
						return ctx.error({
							code: 131056,
							details:
								'Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.',
						});
					}
					lastByPair.set(key, now);
				}
				const id = wamid();
				const accepted: AcceptedMessage = {
					wamid: id,
					phoneNumberId,
					to,
					type: String(body.type),
					body,
					at: now,
					endpoint,
				};
				wa.messages.push(accepted);
				opts.onAccepted?.(accepted);
				const message: Record<string, unknown> = { id };
				if (body.type === 'template') message.message_status = 'accepted';
				const contact = body.to !== undefined ? { input: String(body.to), wa_id: to } : { input: to, user_id: to };
				return { body: { messaging_product: 'whatsapp', contacts: [contact], messages: [message] } };
			};

			api.route('POST', '/:version/:phoneNumberId/messages', (ctx) => send(ctx, 'messages'), {
				name: 'whatsapp.messages',
			});
			// The Marketing Messages API: MARKETING templates only; refused (as not onboarded) when the
			// option says the business has not accepted its terms.
			api.route('POST', '/:version/:phoneNumberId/marketing_messages', (ctx) => send(ctx, 'marketing_messages'), {
				name: 'whatsapp.marketing_messages',
			});

			api.route(
				'POST',
				'/:version/:phoneNumberId/media',
				(ctx) => {
					const fields = (ctx.body ?? {}) as Record<string, string>;
					const file = ctx.request.parts?.find((p) => p.name === 'file' && p.filename !== undefined);
					ctx.request.validationErrors = [];
					if (fields.messaging_product !== 'whatsapp')
						ctx.request.validationErrors.push('messaging_product must be "whatsapp"');
					if (!file) ctx.request.validationErrors.push('multipart/form-data part "file" (with a filename) is required');
					if (ctx.request.validationErrors.length) {
						wa.counters.invalid++;
						return ctx.error({
							code: 100,
							message: '(#100) Invalid parameter',
							details: ctx.request.validationErrors.join('; '),
						});
					}
					if (!phone(ctx.params.phoneNumberId)) return unknownObject(ctx, ctx.params.phoneNumberId);
					const id = String(1_000_000_000_000 + wa.media.size + Math.floor(Math.random() * 1000) * 1000);
					const data = file!.data;
					wa.media.set(id, {
						data,
						mime_type: fields.type || file!.contentType || 'application/octet-stream',
						sha256: createHash('sha256').update(data).digest('hex'),
						file_size: data.length,
						filename: file!.filename,
					});
					return { body: { id } };
				},
				{ name: 'whatsapp.media.upload' },
			);

			api.route(
				'GET',
				'/whatsapp_business/attachments',
				(ctx) => {
					const media = wa.media.get(ctx.query.mid);
					if (!media)
						return {
							status: 404,
							body: { error: { message: 'not found', code: 100, type: 'OAuthException', fbtrace_id: 'x' } },
						};
					return { raw: media.data, headers: { 'content-type': media.mime_type } };
				},
				{ name: 'whatsapp.media.download' },
			);

			api.route(
				'GET',
				'/:version/:wabaId/phone_numbers',
				(ctx) => {
					if (ctx.params.wabaId !== wa.wabaId) return unknownObject(ctx, ctx.params.wabaId);
					return ctx.paginate(
						wa.phoneNumbers.map((p) => pick(p as unknown as Record<string, unknown>, ctx.query.fields)),
					);
				},
				{ name: 'whatsapp.phone_numbers' },
			);

			api.route(
				'GET',
				'/:version/:wabaId/message_templates',
				(ctx) => {
					if (ctx.params.wabaId !== wa.wabaId) return unknownObject(ctx, ctx.params.wabaId);
					const q = ctx.query;
					const items = wa.templates.filter(
						(t) =>
							(!q.name || t.name.includes(q.name)) &&
							(!q.status || q.status.split(',').includes(t.status)) &&
							(!q.category || q.category.split(',').includes(t.category)) &&
							(!q.language || q.language.split(',').includes(t.language)),
					);
					return ctx.paginate(items.map((t) => pick(t as unknown as Record<string, unknown>, q.fields)));
				},
				{ name: 'whatsapp.templates.list' },
			);

			api.route(
				'POST',
				'/:version/:wabaId/message_templates',
				(ctx) => {
					const invalid = validate(ctx, 'POST', '/{Version}/{WABA-ID}/message_templates');
					if (invalid) return invalid;
					if (ctx.params.wabaId !== wa.wabaId) return unknownObject(ctx, ctx.params.wabaId);
					const body = ctx.body as Record<string, unknown>;
					const problems: string[] = [];
					if (typeof body.name !== 'string' || !/^[a-z0-9_]{1,512}$/.test(body.name))
						problems.push('name must be lowercase letters, digits and underscores');
					if (!['MARKETING', 'UTILITY', 'AUTHENTICATION'].includes(String(body.category)))
						problems.push('category must be MARKETING, UTILITY or AUTHENTICATION');
					if (typeof body.language !== 'string') problems.push('language is required');
					if (
						!Array.isArray(body.components) ||
						!body.components.some((c: Record<string, unknown>) => c.type === 'BODY' || c.type === 'body')
					)
						problems.push('components must include a BODY');
					if (problems.length)
						return ctx.error({ code: 100, message: 'Invalid parameter', details: problems.join('; ') });
					if (wa.templates.some((t) => t.name === body.name && t.language === body.language)) {
						return ctx.error({
							code: 100,
							subcode: 2388024,
							message: 'Invalid parameter',
							userTitle: 'Message template already exists',
							details: `Content in this language already exists for ${String(body.name)}`,
						});
					}
					const id = String(900_000_000_000_100 + wa.templates.length);
					const category = String(body.category);
					wa.templates.push({
						id,
						name: String(body.name),
						language: String(body.language),
						status: 'PENDING',
						category,
						components: body.components as Array<Record<string, unknown>>,
					});
					return { body: { id, status: 'PENDING', category } };
				},
				{ name: 'whatsapp.templates.create' },
			);

			api.route(
				'DELETE',
				'/:version/:wabaId/message_templates',
				(ctx) => {
					if (ctx.params.wabaId !== wa.wabaId) return unknownObject(ctx, ctx.params.wabaId);
					const before = wa.templates.length;
					wa.templates = wa.templates.filter(
						(t) => !(t.name === ctx.query.name && (!ctx.query.hsm_id || t.id === ctx.query.hsm_id)),
					);
					if (wa.templates.length === before)
						return ctx.error({
							code: 100,
							subcode: 2593002,
							message: 'Invalid parameter',
							details: `Message template "${ctx.query.name}" not found`,
						});
					return { body: { success: true } };
				},
				{ name: 'whatsapp.templates.delete' },
			);

			api.route(
				'GET',
				'/:version/:objectId',
				(ctx) => {
					const id = ctx.params.objectId;
					const media = wa.media.get(id);
					if (media) {
						return {
							body: {
								messaging_product: 'whatsapp',
								url: `${ctx.standIn.url}/whatsapp_business/attachments/?mid=${id}`,
								mime_type: media.mime_type,
								sha256: media.sha256,
								file_size: media.file_size,
								id,
							},
						};
					}
					const number = phone(id);
					if (number) return { body: pick(number as unknown as Record<string, unknown>, ctx.query.fields) };
					if (id === wa.wabaId)
						return {
							body: pick(
								{ id, name: 'Chai Point', currency: 'INR', timezone_id: '71', message_template_namespace: 'abc_123' },
								ctx.query.fields,
							),
						};
					const template = wa.templates.find((t) => t.id === id);
					if (template) return { body: pick(template as unknown as Record<string, unknown>, ctx.query.fields) };
					return unknownObject(ctx, id);
				},
				{ name: 'whatsapp.object' },
			);

			api.route(
				'DELETE',
				'/:version/:objectId',
				(ctx) => {
					if (!wa.media.delete(ctx.params.objectId)) return unknownObject(ctx, ctx.params.objectId);
					return { body: { success: true } };
				},
				{ name: 'whatsapp.media.delete' },
			);
		},
	};
}

/** Recipients that received more than one accepted message (duplicates in a campaign). */
export function duplicateRecipients(state: WhatsAppState): number {
	const seen = new Map<string, number>();
	for (const m of state.messages) seen.set(m.to, (seen.get(m.to) ?? 0) + 1);
	return [...seen.values()].filter((n) => n > 1).length;
}

/** Accepted message pairs to one recipient closer than `windowMs` (pair-rate violations). */
export function pairRateViolations(state: WhatsAppState, windowMs = 6000): number {
	const last = new Map<string, number>();
	let violations = 0;
	for (const m of [...state.messages].sort((a, b) => a.at - b.at)) {
		const key = `${m.phoneNumberId}:${m.to}`;
		const previous = last.get(key);
		if (previous !== undefined && m.at - previous < windowMs) violations++;
		last.set(key, m.at);
	}
	return violations;
}
