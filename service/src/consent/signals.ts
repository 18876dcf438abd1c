// What the people themselves (and Meta on their behalf) tell us, applied inside the event store's
// transaction: inbound senders become contacts (by phone number, BSUID or both), STOP/START keywords,
// Meta's `user_preferences` (stop/resume marketing messages), failed statuses with 131050 (the person
// stopped marketing messages), and identifier changes (a phone-number change gives a new BSUID; the
// consent stays with the person).
//
// The resume rule: a `user_preferences` "resume" never opts anyone in. It is recorded in the consent
// history (state unchanged) and forwarded as a `whatsapp.user_preference` event, so a workflow can ask
// the person; only the person's own START (or an explicit consent change through the API) opts them in.
import type { PoolClient } from 'pg';
import { boundedKey } from '../core/meta-events';
import type { StoredEvent } from '../db/events';
import { emitEvent } from '../fanout/outbox';
import { consentChangeFor, messageText, type ConsentState, type KeywordLists } from './keywords';
import { resolvePerson, upsertInboundPeople, type ContactRow, type PersonIds } from './people';

/** Meta: "this person stopped marketing messages from your business". */
export const STOPPED_MARKETING_CODE = 131050;

/** Consent sources that are the person's own word; they apply in the order the person acted. */
const PERSON_SOURCES = new Set(['keyword', 'meta_preferences', 'meta_error']);

type Payload = Record<string, unknown>;
const str = (value: unknown): string | null => (typeof value === 'string' && value ? value : null);

export function idsOf(payload: Payload): PersonIds {
	return {
		wa_id:
			str(payload.wa_id) ??
			(typeof payload.from === 'string' && /^[1-9]\d{7,14}$/.test(payload.from) ? payload.from : null),
		user_id: str(payload.user_id),
		parent_user_id: str(payload.parent_user_id),
		username: str(payload.username),
		name: str(payload.profile_name),
	};
}

export const personKey = (ids: PersonIds): string | null => ids.user_id ?? ids.wa_id ?? null;

/** Every consent change goes through here: contact row, history row, `contact.*` event. */
async function changeConsent(
	tx: PoolClient,
	contact: ContactRow,
	change: ConsentState,
	source: string,
	extra: { at: Date; messageId?: string; note?: string; text?: string | null; dedupeKey: string },
): Promise<void> {
	const recorded = await tx.query(
		`INSERT INTO consent_events (subject_id, consent, source, message_id, note, occurred_at) VALUES ($1, $2, $3, $4, $5, $6)
		 ON CONFLICT (message_id) WHERE message_id IS NOT NULL AND source = 'keyword' DO NOTHING`,
		[contact.id, change, source, extra.messageId ?? null, extra.note ?? null, extra.at],
	);
	if (recorded.rowCount !== 1 || contact.consent === change) return;
	await tx.query(
		`UPDATE contacts SET consent = $2, consent_source = $3, consent_updated_at = $4, updated_at = now() WHERE id = $1`,
		[contact.id, change, source, extra.at],
	);
	await emitEvent(tx, {
		type: change === 'opted_out' ? 'contact.opted_out' : 'contact.opted_in',
		dedupeKey: extra.dedupeKey,
		occurredAt: extra.at,
		payload: {
			wa_id: contact.wa_id,
			user_id: contact.user_id,
			username: contact.username,
			consent: change,
			source,
			message_id: extra.messageId ?? null,
			...(extra.text !== undefined ? { text: extra.text } : {}),
		},
	});
}

/** A signal older than the person's latest own consent change changes nothing (late delivery). */
function isStale(contact: ContactRow, at: Date): boolean {
	return Boolean(
		contact.consent_source &&
		PERSON_SOURCES.has(contact.consent_source) &&
		contact.consent_updated_at &&
		contact.consent_updated_at.getTime() > at.getTime(),
	);
}

/** Inbound senders, once each (latest message time, first profile name), in a fixed order (lock order). */
async function upsertSenders(tx: PoolClient, messages: StoredEvent[]): Promise<void> {
	const senders = new Map<string, { ids: PersonIds; at: Date }>();
	for (const event of [...messages].sort((a, b) => a.occurred_at.getTime() - b.occurred_at.getTime())) {
		if (event.payload.message_type === 'system') continue;
		const ids = idsOf(event.payload);
		const key = personKey(ids);
		if (!key) continue;
		const seen = senders.get(key);
		senders.set(key, { ids: { ...ids, name: seen?.ids.name ?? ids.name }, at: event.occurred_at });
	}
	// New and known people in a few statements; the rest (shared identifiers, records to join) one by one.
	const rest = await upsertInboundPeople(
		tx,
		[...senders.keys()].sort().map((key) => senders.get(key)!),
	);
	for (const { ids, at } of rest) await resolvePerson(tx, ids, { create: true, inboundAt: at });
}

/** The text of an inbound message that STOP / START keywords are looked for in. */
export function keywordText(payload: Payload): string | undefined {
	return typeof payload.text === 'string' ? payload.text : messageText(payload.message);
}

/** STOP / START keywords, in message-time order, matched by phone number or BSUID. */
async function applyKeywords(tx: PoolClient, messages: StoredEvent[], keywords: KeywordLists): Promise<void> {
	for (const event of [...messages].sort((a, b) => a.occurred_at.getTime() - b.occurred_at.getTime())) {
		const text = keywordText(event.payload);
		const change = consentChangeFor(text, keywords);
		if (!change) continue;
		const contact = await resolvePerson(tx, idsOf(event.payload), { create: false });
		if (!contact || isStale(contact, event.occurred_at)) continue;
		const wamid = boundedKey(str(event.payload.wamid) ?? String(event.id));
		await changeConsent(tx, contact, change, 'keyword', {
			at: event.occurred_at,
			messageId: wamid,
			text,
			dedupeKey: `contact.keyword:${wamid}`,
		});
	}
}

/** Meta's `user_preferences`: stop → opted out (source meta_preferences); resume → history only (see the rule above). */
async function applyPreferences(tx: PoolClient, preferences: StoredEvent[]): Promise<void> {
	for (const event of preferences) {
		if (event.payload.category !== 'marketing_messages') continue;
		const value = event.payload.value;
		if (value !== 'stop' && value !== 'resume') continue;
		// A stop from someone we never heard of creates the contact, opted out: a later import cannot opt them in.
		const contact = await resolvePerson(tx, idsOf(event.payload), { create: value === 'stop' });
		if (!contact) continue;
		if (value === 'stop') {
			if (isStale(contact, event.occurred_at)) continue;
			await changeConsent(tx, contact, 'opted_out', 'meta_preferences', {
				at: event.occurred_at,
				note: 'Stopped marketing messages in WhatsApp.',
				dedupeKey: `contact.preference:${event.dedupe_key}`,
			});
		} else {
			await tx.query(
				`INSERT INTO consent_events (subject_id, consent, source, note, occurred_at) VALUES ($1, $2, 'meta_preferences', $3, $4)`,
				[
					contact.id,
					contact.consent,
					'Resumed marketing messages in WhatsApp; consent unchanged until the person opts in (START) or the business records it.',
					event.occurred_at,
				],
			);
		}
	}
}

/** Failed statuses with 131050: the person stopped marketing messages → opted out (source meta_error). */
async function applyStopErrors(tx: PoolClient, statuses: StoredEvent[]): Promise<void> {
	for (const event of statuses) {
		if (!isStopError(event.payload)) continue;
		const ids = idsOf(event.payload);
		let contact = await resolvePerson(
			tx,
			{ ...ids, wa_id: ids.wa_id ?? str(event.payload.recipient_id) },
			{ create: false },
		);
		if (!contact && typeof event.payload.wamid === 'string') {
			const ledger = await tx.query<{ contact_id: string }>(
				'SELECT contact_id FROM campaign_recipients WHERE wamid = $1 AND contact_id IS NOT NULL LIMIT 1',
				[event.payload.wamid],
			);
			if (ledger.rows[0])
				contact = (
					await tx.query<ContactRow>('SELECT * FROM contacts WHERE id = $1 FOR UPDATE', [ledger.rows[0].contact_id])
				).rows[0];
		}
		if (!contact || isStale(contact, event.occurred_at)) continue;
		await changeConsent(tx, contact, 'opted_out', 'meta_error', {
			at: event.occurred_at,
			note: `WhatsApp error ${STOPPED_MARKETING_CODE}: the person stopped marketing messages.`,
			dedupeKey: `contact.stop_error:${event.dedupe_key}`,
		});
	}
}

/**
 * Identifier changes: system messages `user_changed_number` / `user_changed_user_id` and the
 * `user_id_update` webhook. The contact keeps its consent and history under the new identifiers.
 */
async function applyIdentifierChanges(tx: PoolClient, events: StoredEvent[]): Promise<void> {
	for (const event of events) {
		if (event.type === 'whatsapp.user_id_update') {
			const previous = str(event.payload.previous_user_id);
			await resolvePerson(
				tx,
				{ user_id: previous, wa_id: str(event.payload.wa_id) },
				{ create: false, change: { user_id: str(event.payload.user_id) } },
			);
			continue;
		}
		const message = event.payload.message as { type?: unknown; system?: Payload } | undefined;
		const system = message?.type === 'system' ? message.system : undefined;
		if (!system || (system.type !== 'user_changed_number' && system.type !== 'user_changed_user_id')) continue;
		const newWaId = str(system.new_wa_id) ?? str(system.wa_id);
		const newUserId = str(system.new_user_id) ?? str(system.user_id);
		await resolvePerson(tx, idsOf(event.payload), {
			create: false,
			change: { wa_id: newWaId && /^[1-9]\d{7,14}$/.test(newWaId) ? newWaId : null, user_id: newUserId },
		});
	}
}

/** Everything above for a batch of newly stored events. */
/** A failed status whose error says the person stopped marketing messages (131050). */
export function isStopError(payload: Record<string, unknown>): boolean {
	const errors = Array.isArray(payload.errors) ? (payload.errors as Array<{ code?: unknown }>) : [];
	return payload.status === 'failed' && errors.some((e) => e.code === STOPPED_MARKETING_CODE);
}

/**
 * Whether `applyPeopleSignals` has anything to do for these events (pure): messages, identifier
 * changes, preferences or 131050 failures. A batch of other events (e.g. delivery statuses) needs no
 * transaction for the people.
 */
export function wantsPeopleSignals(events: ReadonlyArray<{ type: string; payload: Record<string, unknown> }>): boolean {
	return events.some(
		(e) =>
			e.type === 'whatsapp.message' ||
			e.type === 'whatsapp.user_id_update' ||
			e.type === 'whatsapp.user_preference' ||
			(e.type === 'whatsapp.status' && isStopError(e.payload)),
	);
}

export async function applyPeopleSignals(tx: PoolClient, events: StoredEvent[], keywords: KeywordLists): Promise<void> {
	const of = (type: string) => events.filter((e) => e.type === type);
	const messages = of('whatsapp.message');
	if (messages.length) await upsertSenders(tx, messages);
	const changes = events.filter(
		(e) =>
			e.type === 'whatsapp.user_id_update' || (e.type === 'whatsapp.message' && e.payload.message_type === 'system'),
	);
	if (changes.length) await applyIdentifierChanges(tx, changes);
	if (messages.length) await applyKeywords(tx, messages, keywords);
	const preferences = of('whatsapp.user_preference');
	if (preferences.length) await applyPreferences(tx, preferences);
	const statuses = of('whatsapp.status');
	if (statuses.length) await applyStopErrors(tx, statuses);
}
