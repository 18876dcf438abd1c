// Normalizes a Meta webhook payload (WhatsApp Cloud API `whatsapp_business_account`, Instagram
// `instagram`/`page`) into events. Pure: no I/O. Batched payloads (many entries, changes, messages,
// statuses) yield one event each. Nothing is rejected: fields and event types we do not know become
// `meta.unhandled` events, stored like the rest.
//
// Every event carries a deduplication key built from Meta's own ids, so a redelivered webhook
// (Meta retries for days) maps to the same keys and is stored once:
//   whatsapp.message   wa.message:<wamid>
//   whatsapp.status    wa.status:<wamid>:<status>
//   whatsapp.error     wa.error:<phone_number_id>:<sha256 of the error>
//   whatsapp.user_preference  wa.preference:<user_id or wa_id>:<timestamp>:<value>
//   whatsapp.user_id_update   wa.user_id_update:<previous user_id>:<user_id>
//
// People are identified as Meta does since 2026: a phone number (`wa_id`, `from`, `recipient_id`), a
// business-scoped user ID (BSUID: `user_id`, `from_user_id`, `recipient_user_id`), or both, plus a
// parent BSUID and a `username`. Every WhatsApp event's payload carries `wa_id`, `user_id`,
// `parent_user_id` and `username` of the person (null when Meta left one out).
//   instagram.comment  ig.comment:<comment id>
//   instagram.mention  ig.mention:<media id>:<comment id>
//   instagram.message  ig.message:<mid>
//   meta.unhandled     meta:<sha256 of object, entry id, field and value>
import { createHash } from 'node:crypto';
import { jsonDepthExceeds, jsonTextMayExceedDepth, MAX_JSON_DEPTH } from './json-depth';
import { jsonTextMayHoldUnstorable, toStorableText } from './json-text';

type MetaEventType =
	| 'whatsapp.message'
	| 'whatsapp.status'
	| 'whatsapp.error'
	| 'whatsapp.user_preference'
	| 'whatsapp.user_id_update'
	| 'instagram.comment'
	| 'instagram.mention'
	| 'instagram.message'
	| 'meta.unhandled';

export interface NormalizedEvent {
	type: MetaEventType | string;
	dedupeKey: string;
	occurredAt: Date;
	payload: Record<string, unknown>;
}

export class MetaPayloadError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'MetaPayloadError';
	}
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
	typeof value === 'object' && value !== null && !Array.isArray(value);
const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const asString = (value: unknown): string | undefined =>
	typeof value === 'string' ? value : typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;

function hash(value: unknown): string {
	return createHash('sha256')
		.update(JSON.stringify(value) ?? 'null')
		.digest('hex')
		.slice(0, 32);
}

/** The longest key kept as it is; Postgres' unique indexes refuse entries beyond ~2,700 bytes. */
const MAX_KEY_LENGTH = 512;

/**
 * An identity key that fits a unique index: short keys (every real Meta id) as they are, longer ones
 * as their prefix and a SHA-256 (an absurdly long id in a signed payload is stored, not refused).
 */
export function boundedKey(key: string): string {
	if (key.length <= MAX_KEY_LENGTH) return key;
	return `${key.slice(0, key.indexOf(':') + 1)}sha256:${createHash('sha256').update(key).digest('hex')}`;
}

/** Meta sends Unix seconds (WhatsApp: as strings) or, in Instagram messaging, milliseconds. */
function metaTime(value: unknown, fallback: Date): Date {
	const number =
		typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : typeof value === 'number' ? value : NaN;
	if (!Number.isFinite(number) || number <= 0) return fallback;
	const ms = number > 1e12 ? number : number * 1000;
	const date = new Date(ms);
	// Absurd values (year > 9999) fall back instead of failing the whole payload.
	return Number.isNaN(date.getTime()) || date.getUTCFullYear() > 9999 ? fallback : date;
}

/** jsonb cannot hold U+0000 or lone surrogates: replace them so an odd payload is stored rather than refused. */
function sanitizeForJsonb<T>(value: T): T {
	if (typeof value === 'string') return toStorableText(value) as T;
	if (Array.isArray(value)) return value.map((item) => sanitizeForJsonb(item)) as T;
	if (isObject(value)) {
		const out: Json = {};
		for (const [key, item] of Object.entries(value)) out[toStorableText(key)] = sanitizeForJsonb(item);
		return out as T;
	}
	return value;
}

function unhandled(
	object: string,
	entryId: string | undefined,
	field: string | undefined,
	value: unknown,
	at: Date,
): NormalizedEvent {
	return {
		type: 'meta.unhandled',
		dedupeKey: `meta:${hash([object, entryId ?? null, field ?? null, value ?? null])}`,
		occurredAt: at,
		payload: { object, entry_id: entryId ?? null, field: field ?? null, value: value ?? null },
	};
}

const BSUID = /^[A-Z]{2}\.[A-Za-z0-9]{1,128}$/;
const PARENT_BSUID = /^[A-Z]{2}\.ENT\.[A-Za-z0-9]{1,128}$/;
const PHONE = /^[1-9]\d{7,14}$/;

/** The identifiers of one person as every WhatsApp event payload carries them (null when absent or malformed). */
interface Person {
	wa_id: string | null;
	user_id: string | null;
	parent_user_id: string | null;
	username: string | null;
}

function personOf(ids: { wa_id?: unknown; user_id?: unknown; parent_user_id?: unknown }, profile: Json = {}): Person {
	const waId = asString(ids.wa_id);
	const userId = asString(ids.user_id);
	const parent = asString(ids.parent_user_id);
	return {
		// Before usernames, Meta wrote a username user's BSUID in `wa_id`/`from`: keep it as the BSUID.
		wa_id: waId && PHONE.test(waId) ? waId : null,
		user_id: userId && BSUID.test(userId) ? userId : waId && BSUID.test(waId) ? waId : null,
		parent_user_id: parent && PARENT_BSUID.test(parent) ? parent : null,
		username: asString(profile.username) ?? null,
	};
}

/** A status's recipient: `recipient_id` (phone), `recipient_user_id` (BSUID), `recipient_parent_user_id`, and the contact's username. */
function statusPerson(status: Json, contacts: Json[]): Person {
	const phone = asString(status.recipient_id);
	const userId = asString(status.recipient_user_id);
	const contact =
		contacts.find((c) => (phone && asString(c.wa_id) === phone) || (userId && asString(c.user_id) === userId)) ??
		(contacts.length === 1 ? contacts[0] : undefined);
	return personOf(
		{
			wa_id: phone ?? contact?.wa_id,
			user_id: userId ?? contact?.user_id,
			parent_user_id: status.recipient_parent_user_id ?? contact?.parent_user_id,
		},
		contact && isObject(contact.profile) ? contact.profile : {},
	);
}

/** `user_preferences`: a person stopped or resumed marketing messages from the business in WhatsApp. */
function userPreferenceEvent(
	entryId: string | undefined,
	base: Json,
	preference: unknown,
	contacts: Json[],
	receivedAt: Date,
): NormalizedEvent {
	if (!isObject(preference) || !asString(preference.value))
		return unhandled('whatsapp_business_account', entryId, 'user_preferences', preference, receivedAt);
	const waId = asString(preference.wa_id);
	const userId = asString(preference.user_id);
	const contact =
		contacts.find((c) => (waId && asString(c.wa_id) === waId) || (userId && asString(c.user_id) === userId)) ??
		(contacts.length === 1 ? contacts[0] : undefined);
	const person = personOf(
		{
			wa_id: waId ?? contact?.wa_id,
			user_id: userId ?? contact?.user_id,
			parent_user_id: preference.parent_user_id ?? contact?.parent_user_id,
		},
		contact && isObject(contact.profile) ? contact.profile : {},
	);
	const value = asString(preference.value)!;
	const timestamp = asString(preference.timestamp) ?? '';
	return {
		type: 'whatsapp.user_preference',
		dedupeKey: boundedKey(`wa.preference:${person.user_id ?? person.wa_id ?? hash(preference)}:${timestamp}:${value}`),
		occurredAt: metaTime(preference.timestamp, receivedAt),
		payload: {
			...base,
			...person,
			category: asString(preference.category) ?? null,
			value,
			detail: asString(preference.detail) ?? null,
		},
	};
}

/**
 * `user_id_update`: a person's BSUID changed (a phone-number change gives a new BSUID). Each item names
 * the previous and the new BSUID (`user_id: { previous, current }`, or `previous_user_id` and `user_id`).
 */
function userIdUpdates(entryId: string | undefined, value: Json, receivedAt: Date): NormalizedEvent[] {
	const metadata = isObject(value.metadata) ? value.metadata : {};
	const base = {
		waba_id: entryId ?? null,
		phone_number_id: asString(metadata.phone_number_id) ?? null,
		display_phone_number: asString(metadata.display_phone_number) ?? null,
	};
	const items = asArray(value.user_id_update);
	if (items.length === 0) return [unhandled('whatsapp_business_account', entryId, 'user_id_update', value, receivedAt)];
	return items.map((item) => {
		const ids = isObject(item) && isObject(item.user_id) ? item.user_id : {};
		const previous = isObject(item) ? (asString(ids.previous) ?? asString(item.previous_user_id)) : undefined;
		const current = isObject(item) ? (asString(ids.current) ?? asString(item.user_id)) : undefined;
		if (!isObject(item) || !previous || !current || !BSUID.test(previous) || !BSUID.test(current)) {
			return unhandled('whatsapp_business_account', entryId, 'user_id_update', item, receivedAt);
		}
		const person = personOf({ wa_id: item.wa_id, user_id: current, parent_user_id: item.parent_user_id });
		return {
			type: 'whatsapp.user_id_update',
			dedupeKey: boundedKey(`wa.user_id_update:${previous}:${current}`),
			occurredAt: metaTime(item.timestamp, receivedAt),
			payload: { ...base, ...person, previous_user_id: previous },
		};
	});
}

function messageEvent(
	entryId: string | undefined,
	base: Json,
	message: unknown,
	contacts: Json[],
	receivedAt: Date,
): NormalizedEvent {
	if (!isObject(message) || !asString(message.id)) {
		return unhandled('whatsapp_business_account', entryId, 'messages.message', message, receivedAt);
	}
	const from = asString(message.from) ?? null;
	const fromUserId = asString(message.from_user_id) ?? null;
	const contact =
		contacts.find(
			(c) =>
				(from !== null && asString(c.wa_id) === from) || (fromUserId !== null && asString(c.user_id) === fromUserId),
		) ?? (contacts.length === 1 ? contacts[0] : undefined);
	const profile = contact && isObject(contact.profile) ? contact.profile : {};
	const person = personOf(
		{
			wa_id: from ?? contact?.wa_id,
			user_id: fromUserId ?? contact?.user_id,
			parent_user_id: message.from_parent_user_id ?? contact?.parent_user_id,
		},
		profile,
	);
	return {
		type: 'whatsapp.message',
		dedupeKey: boundedKey(`wa.message:${asString(message.id)}`),
		occurredAt: metaTime(message.timestamp, receivedAt),
		payload: {
			...base,
			wamid: asString(message.id),
			from,
			...person,
			profile_name: asString(profile.name) ?? null,
			message_type: asString(message.type) ?? null,
			text: isObject(message.text) ? (asString(message.text.body) ?? null) : null,
			message,
		},
	};
}

function statusEvent(
	entryId: string | undefined,
	base: Json,
	status: unknown,
	contacts: Json[],
	receivedAt: Date,
): NormalizedEvent {
	if (!isObject(status) || !asString(status.id) || !asString(status.status)) {
		return unhandled('whatsapp_business_account', entryId, 'messages.status', status, receivedAt);
	}
	const errors = asArray(status.errors)
		.filter(isObject)
		.map((error) => ({
			code: typeof error.code === 'number' ? error.code : Number(error.code) || null,
			title: asString(error.title) ?? null,
			message: asString(error.message) ?? null,
			details: isObject(error.error_data) ? (asString(error.error_data.details) ?? null) : null,
			href: asString(error.href) ?? null,
		}));
	return {
		type: 'whatsapp.status',
		dedupeKey: boundedKey(`wa.status:${asString(status.id)}:${asString(status.status)}`),
		occurredAt: metaTime(status.timestamp, receivedAt),
		payload: {
			...base,
			wamid: asString(status.id),
			status: asString(status.status),
			recipient_id: asString(status.recipient_id) ?? null,
			...statusPerson(status, contacts),
			errors,
			conversation: status.conversation ?? null,
			pricing: status.pricing ?? null,
			biz_opaque_callback_data: asString(status.biz_opaque_callback_data) ?? null,
		},
	};
}

function whatsappChange(entryId: string | undefined, change: Json, receivedAt: Date): NormalizedEvent[] {
	const field = asString(change.field);
	const value = change.value;
	if (field === 'user_id_update' && isObject(value)) return userIdUpdates(entryId, value, receivedAt);
	if ((field !== 'messages' && field !== 'user_preferences') || !isObject(value))
		return [unhandled('whatsapp_business_account', entryId, field, value, receivedAt)];
	const metadata = isObject(value.metadata) ? value.metadata : {};
	const phoneNumberId = asString(metadata.phone_number_id) ?? null;
	const displayPhoneNumber = asString(metadata.display_phone_number) ?? null;
	const base = { waba_id: entryId ?? null, phone_number_id: phoneNumberId, display_phone_number: displayPhoneNumber };
	const contacts = asArray(value.contacts).filter(isObject);
	const events: NormalizedEvent[] = [];
	let known = false;

	for (const message of asArray(value.messages)) {
		known = true;
		events.push(messageEvent(entryId, base, message, contacts, receivedAt));
	}

	for (const status of asArray(value.statuses)) {
		known = true;
		events.push(statusEvent(entryId, base, status, contacts, receivedAt));
	}

	for (const preference of asArray(value.user_preferences)) {
		known = true;
		events.push(userPreferenceEvent(entryId, base, preference, contacts, receivedAt));
	}

	for (const error of asArray(value.errors)) {
		known = true;
		events.push({
			type: 'whatsapp.error',
			dedupeKey: boundedKey(`wa.error:${phoneNumberId ?? entryId ?? ''}:${hash(error)}`),
			occurredAt: receivedAt,
			payload: { ...base, error },
		});
	}

	if (!known) events.push(unhandled('whatsapp_business_account', entryId, field, value, receivedAt));
	return events;
}

function instagramChange(object: string, entryId: string | undefined, entryTime: Date, change: Json): NormalizedEvent {
	const field = asString(change.field);
	const value = change.value;
	if ((field === 'comments' || field === 'live_comments') && isObject(value) && asString(value.id)) {
		const from = isObject(value.from) ? value.from : {};
		const media = isObject(value.media) ? value.media : {};
		return {
			type: 'instagram.comment',
			dedupeKey: boundedKey(`ig.comment:${asString(value.id)}`),
			occurredAt: entryTime,
			payload: {
				account_id: entryId ?? null,
				field,
				comment_id: asString(value.id),
				parent_id: asString(value.parent_id) ?? null,
				text: asString(value.text) ?? null,
				from_id: asString(from.id) ?? null,
				from_username: asString(from.username) ?? null,
				media_id: asString(media.id) ?? null,
				media_product_type: asString(media.media_product_type) ?? null,
				value,
			},
		};
	}
	if (field === 'mentions' && isObject(value) && (asString(value.media_id) || asString(value.comment_id))) {
		return {
			type: 'instagram.mention',
			dedupeKey: boundedKey(`ig.mention:${asString(value.media_id) ?? ''}:${asString(value.comment_id) ?? ''}`),
			occurredAt: entryTime,
			payload: {
				account_id: entryId ?? null,
				media_id: asString(value.media_id) ?? null,
				comment_id: asString(value.comment_id) ?? null,
				value,
			},
		};
	}
	return unhandled(object, entryId, field, value, entryTime);
}

function instagramMessaging(
	object: string,
	entryId: string | undefined,
	entryTime: Date,
	item: unknown,
): NormalizedEvent {
	if (isObject(item) && isObject(item.message) && asString(item.message.mid)) {
		const message = item.message;
		return {
			type: 'instagram.message',
			dedupeKey: boundedKey(`ig.message:${asString(message.mid)}`),
			occurredAt: metaTime(item.timestamp, entryTime),
			payload: {
				account_id: entryId ?? null,
				mid: asString(message.mid),
				sender_id: isObject(item.sender) ? (asString(item.sender.id) ?? null) : null,
				recipient_id: isObject(item.recipient) ? (asString(item.recipient.id) ?? null) : null,
				text: asString(message.text) ?? null,
				is_echo: message.is_echo === true,
				messaging: item,
			},
		};
	}
	return unhandled(object, entryId, 'messaging', item, entryTime);
}

/**
 * Parses the JSON of a Meta webhook body into events. Throws MetaPayloadError only when the body is
 * not a JSON object; any object is accepted (unknown shapes become `meta.unhandled`). `text`, when
 * given, is the JSON text `payload` was parsed from.
 */
export function normalizeMetaPayload(payload: unknown, receivedAt: Date, text?: string): NormalizedEvent[] {
	if (!isObject(payload)) throw new MetaPayloadError('A Meta webhook body is a JSON object with "object" and "entry".');
	// With the JSON text the payload was parsed from (`text`), one scan of it spares walking the value
	// for the depth check and copying it for jsonb (almost every real payload needs neither).
	if ((text === undefined || jsonTextMayExceedDepth(text)) && jsonDepthExceeds(payload))
		throw new MetaPayloadError(`The body nests deeper than ${MAX_JSON_DEPTH} levels; Meta payloads never do.`);
	const clean = text === undefined || jsonTextMayHoldUnstorable(text) ? sanitizeForJsonb(payload) : payload;
	const object = asString(clean.object) ?? 'unknown';
	const entries = asArray(clean.entry);
	const events: NormalizedEvent[] = [];
	if (entries.length === 0) return [unhandled(object, undefined, undefined, clean, receivedAt)];
	for (const entry of entries) {
		if (!isObject(entry)) {
			events.push(unhandled(object, undefined, undefined, entry, receivedAt));
			continue;
		}
		const entryId = asString(entry.id);
		const entryTime = metaTime(entry.time, receivedAt);
		const changes = asArray(entry.changes);
		const messaging = asArray(entry.messaging);
		if (object === 'whatsapp_business_account') {
			for (const change of changes) {
				events.push(
					...(isObject(change)
						? whatsappChange(entryId, change, receivedAt)
						: [unhandled(object, entryId, undefined, change, receivedAt)]),
				);
			}
		} else if (object === 'instagram' || object === 'page') {
			for (const change of changes) {
				events.push(
					isObject(change)
						? instagramChange(object, entryId, entryTime, change)
						: unhandled(object, entryId, undefined, change, entryTime),
				);
			}
			for (const item of messaging) events.push(instagramMessaging(object, entryId, entryTime, item));
			// Business Login for Instagram documents comments with field/value directly on the entry.
			if (changes.length === 0 && messaging.length === 0 && 'field' in entry) {
				events.push(instagramChange(object, entryId, entryTime, entry));
			}
		} else {
			for (const change of changes)
				events.push(
					unhandled(
						object,
						entryId,
						isObject(change) ? asString(change.field) : undefined,
						isObject(change) ? change.value : change,
						entryTime,
					),
				);
			for (const item of messaging) events.push(unhandled(object, entryId, 'messaging', item, entryTime));
		}
		const entryLevelComment = (object === 'instagram' || object === 'page') && 'field' in entry;
		if (changes.length === 0 && messaging.length === 0 && !entryLevelComment) {
			events.push(unhandled(object, entryId, undefined, entry, entryTime));
		}
	}
	return events;
}
