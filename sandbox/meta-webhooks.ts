// The WhatsApp webhooks Meta sends since 2026, as the sandbox emits them: people identified by phone
// number (`wa_id`), business-scoped user ID (`user_id`), parent BSUID and `username`; the
// `user_preferences` webhook; the identifier-change system messages and `user_id_update`. Pure
// builders of the signed body's JSON (sign with the app secret to deliver it: webhooks.ts). The
// sandbox app emits exactly these; tests build Meta's payloads with them too.
//
// Who appears where (Meta's "Business-scoped user IDs" guide): an incoming message always carries the
// BSUID (`contacts[].user_id`, `messages[].from_user_id`); the phone number (`wa_id`, `from`) only when
// Meta shares it; the username in `contacts[].profile.username` when the person has one; the parent
// BSUID only for managed portfolios. Statuses carry `recipient_id` (phone, when shared) and
// `recipient_user_id` (BSUID).

export interface WhatsAppPerson {
	/** Phone number, E.164 digits; absent for a username user whose number Meta withholds. */
	wa_id?: string;
	/** Business-scoped user ID, e.g. IN.1648738043044942. */
	user_id: string;
	/** Parent BSUID of a managed portfolio, e.g. IN.ENT.11815799212886844830. */
	parent_user_id?: string;
	username?: string;
	name?: string;
}

export const SANDBOX_WABA_ID = '102290129340398';
export const SANDBOX_METADATA = { display_phone_number: '15550783881', phone_number_id: '106540352242922' };

/** The business number a webhook is about (Meta's `entry[].id` and `metadata`). */
export interface WhatsAppSender {
	wabaId: string;
	phoneNumberId: string;
	/** As Meta writes it in `metadata.display_phone_number`: digits. */
	displayPhoneNumber: string;
}

export const SANDBOX_SENDER: WhatsAppSender = {
	wabaId: SANDBOX_WABA_ID,
	phoneNumberId: SANDBOX_METADATA.phone_number_id,
	displayPhoneNumber: SANDBOX_METADATA.display_phone_number,
};

export type DeliveryStatus = 'sent' | 'delivered' | 'read' | 'failed';

export interface StatusError {
	code: number;
	title: string;
	details?: string;
}

/** What the customer sent: text, or a tap on a template's quick-reply button (`context`: the wamid it answers). */
export type InboundContent =
	{ type: 'text'; text: string } | { type: 'button'; text: string; payload: string; context?: string };

const seconds = (at: Date | number = Date.now()) =>
	String(Math.floor((typeof at === 'number' ? at : at.getTime()) / 1000));

/** Meta's envelope around one change. */
export function whatsappEnvelope(
	field: string,
	value: Record<string, unknown>,
	sender: WhatsAppSender = SANDBOX_SENDER,
): Record<string, unknown> {
	const metadata = {
		display_phone_number: sender.displayPhoneNumber.replace(/\D/g, ''),
		phone_number_id: sender.phoneNumberId,
	};
	return {
		object: 'whatsapp_business_account',
		entry: [{ id: sender.wabaId, changes: [{ field, value: { messaging_product: 'whatsapp', metadata, ...value } }] }],
	};
}

function contactOf(person: WhatsAppPerson): Record<string, unknown> {
	return {
		profile: { name: person.name ?? 'Customer', ...(person.username ? { username: person.username } : {}) },
		...(person.wa_id ? { wa_id: person.wa_id } : {}),
		user_id: person.user_id,
		...(person.parent_user_id ? { parent_user_id: person.parent_user_id } : {}),
	};
}

/** An incoming text message. */
export function inboundText(
	person: WhatsAppPerson,
	text: string,
	id: string,
	at?: Date | number,
	sender?: WhatsAppSender,
): Record<string, unknown> {
	return inboundMessage(person, { type: 'text', text }, id, at, sender);
}

/** An incoming message: text, or a quick-reply button tap (with the `context` of the message it answers). */
export function inboundMessage(
	person: WhatsAppPerson,
	content: InboundContent,
	id: string,
	at?: Date | number,
	sender: WhatsAppSender = SANDBOX_SENDER,
): Record<string, unknown> {
	const message: Record<string, unknown> = {
		...(person.wa_id ? { from: person.wa_id } : {}),
		from_user_id: person.user_id,
		...(person.parent_user_id ? { from_parent_user_id: person.parent_user_id } : {}),
		id,
		timestamp: seconds(at),
		type: content.type,
	};
	if (content.type === 'text') message.text = { body: content.text };
	else {
		message.button = { text: content.text, payload: content.payload };
		if (content.context) message.context = { from: sender.displayPhoneNumber.replace(/\D/g, ''), id: content.context };
	}
	return whatsappEnvelope('messages', { contacts: [contactOf(person)], messages: [message] }, sender);
}

/**
 * A status of a message sent to the person; a failed one carries Meta's error, sent and delivered
 * ones the pricing of a marketing message.
 */
export function statusOf(
	person: WhatsAppPerson,
	wamid: string,
	status: DeliveryStatus,
	error?: StatusError,
	at?: Date | number,
	sender?: WhatsAppSender,
): Record<string, unknown> {
	const billed = status === 'sent' || status === 'delivered';
	return whatsappEnvelope(
		'messages',
		{
			// Failed statuses carry no contacts array.
			...(status === 'failed' ? {} : { contacts: [contactOf(person)] }),
			statuses: [
				{
					id: wamid,
					status,
					timestamp: seconds(at),
					...(person.wa_id ? { recipient_id: person.wa_id } : {}),
					recipient_user_id: person.user_id,
					...(person.parent_user_id ? { recipient_parent_user_id: person.parent_user_id } : {}),
					...(billed
						? { pricing: { billable: true, pricing_model: 'PMP', category: 'marketing', type: 'regular' } }
						: {}),
					...(error
						? {
								errors: [
									{
										code: error.code,
										title: error.title,
										message: error.title,
										error_data: { details: error.details ?? error.title },
									},
								],
							}
						: {}),
				},
			],
		},
		sender,
	);
}

/** `user_preferences`: the person stopped or resumed marketing messages from the business in WhatsApp. */
export function userPreferences(
	person: WhatsAppPerson,
	value: 'stop' | 'resume',
	at?: Date | number,
	sender?: WhatsAppSender,
): Record<string, unknown> {
	return whatsappEnvelope(
		'user_preferences',
		{
			contacts: [contactOf(person)],
			user_preferences: [
				{
					...(person.wa_id ? { wa_id: person.wa_id } : {}),
					user_id: person.user_id,
					detail:
						value === 'stop'
							? 'User requested to stop marketing messages'
							: 'User requested to resume marketing messages',
					category: 'marketing_messages',
					value,
					timestamp: Number(seconds(at)),
				},
			],
		},
		sender,
	);
}

/** The system message of a phone-number change (`user_changed_number`) or a BSUID change (`user_changed_user_id`). */
export function identifierChanged(
	before: WhatsAppPerson,
	change: { type: 'user_changed_number'; new_wa_id: string } | { type: 'user_changed_user_id'; new_user_id: string },
	id: string,
	at?: Date | number,
): Record<string, unknown> {
	const body =
		change.type === 'user_changed_number'
			? `User ${before.name ?? 'Customer'} changed from ${before.wa_id} to ${change.new_wa_id}`
			: `User ${before.name ?? 'Customer'} changed their user ID`;
	return whatsappEnvelope('messages', {
		messages: [
			{
				...(before.wa_id ? { from: before.wa_id } : {}),
				from_user_id: before.user_id,
				id,
				timestamp: seconds(at),
				type: 'system',
				system: { body, ...change },
			},
		],
	});
}

/** `user_id_update`: a person's BSUID changed (a phone-number change gives a new BSUID). */
export function userIdUpdate(
	previous: string,
	current: string,
	wa_id?: string,
	at?: Date | number,
): Record<string, unknown> {
	return whatsappEnvelope('user_id_update', {
		user_id_update: [{ ...(wa_id ? { wa_id } : {}), user_id: { previous, current }, timestamp: seconds(at) }],
	});
}
