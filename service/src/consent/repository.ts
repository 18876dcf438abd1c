// Contacts and consent in Postgres: upsert, bulk import, list, consent changes with history,
// erasure, and the inbound-message hook (last_inbound_at, STOP/START keywords).
import type { Pool, PoolClient } from 'pg';
import { boundedKey } from '../core/meta-events';
import { sql, type SqlFragment } from '../db/sql';
import { emitEvent } from '../fanout/outbox';
import { consentChangeFor, messageText, type ConsentState, type KeywordLists } from './keywords';

type Db = Pool | PoolClient;

export interface ContactRow {
	id: string;
	wa_id: string;
	name: string | null;
	tags: string[];
	consent: ConsentState;
	consent_source: string | null;
	consent_updated_at: Date | null;
	last_inbound_at: Date | null;
	created_at: Date;
	updated_at: Date;
}

const CONTACT_COLUMNS = 'id, wa_id, name, tags, consent, consent_source, consent_updated_at, last_inbound_at, created_at, updated_at';

interface ContactInput {
	wa_id: string;
	name?: string | null;
	tags?: string[];
	consent?: ConsentState;
	consent_note?: string;
}

type UpsertOutcome = 'created' | 'updated' | 'unchanged';

async function recordConsent(
	tx: Db,
	subjectId: string,
	consent: ConsentState | 'erased',
	source: string,
	extra: { messageId?: string | null; note?: string | null; at?: Date } = {},
): Promise<boolean> {
	const { rowCount } = await tx.query(
		`INSERT INTO consent_events (subject_id, consent, source, message_id, note, occurred_at)
		 VALUES ($1, $2, $3, $4, $5, coalesce($6, now()))
		 ON CONFLICT (message_id) WHERE message_id IS NOT NULL AND source = 'keyword' DO NOTHING`,
		[subjectId, consent, source, extra.messageId ?? null, extra.note ?? null, extra.at ?? null],
	);
	return rowCount === 1;
}

/**
 * Creates or updates one contact (tags replace, name replaces when given). A consent given here is
 * recorded in the history with `source` when it changes the state.
 * `keepOptOut`: a bulk import never turns an opted-out contact back in (only the person or an explicit
 * single-contact change may).
 */
export async function upsertContact(
	tx: PoolClient,
	input: ContactInput,
	options: { source: 'api' | 'import'; mergeTags?: boolean; keepOptOut?: boolean },
): Promise<{ contact: ContactRow; outcome: UpsertOutcome; keptOptOut: boolean; consentChanged: boolean }> {
	const existing = (await tx.query<ContactRow>(`SELECT ${CONTACT_COLUMNS} FROM contacts WHERE wa_id = $1 FOR UPDATE`, [input.wa_id])).rows[0];
	if (!existing) {
		const consent = input.consent ?? 'unknown';
		const { rows } = await tx.query<ContactRow>(
			`INSERT INTO contacts (wa_id, name, tags, consent, consent_source, consent_updated_at)
			 VALUES ($1, $2, $3, $4, $5, CASE WHEN $4 = 'unknown' THEN NULL ELSE now() END)
			 ON CONFLICT (wa_id) DO NOTHING
			 RETURNING ${CONTACT_COLUMNS}`,
			[input.wa_id, input.name ?? null, dedupeTags(input.tags ?? []), consent, consent === 'unknown' ? null : options.source],
		);
		if (!rows[0]) return upsertContact(tx, input, options); // created concurrently: update it instead
		if (consent !== 'unknown') await recordConsent(tx, rows[0].id, consent, options.source, { note: input.consent_note });
		if (options.source === 'api') await emitApiConsentChange(tx, rows[0]);
		return { contact: rows[0], outcome: 'created', keptOptOut: false, consentChanged: consent !== 'unknown' };
	}
	const tags = input.tags === undefined ? existing.tags : dedupeTags(options.mergeTags ? [...existing.tags, ...input.tags] : input.tags);
	const name = input.name === undefined ? existing.name : input.name;
	let consent = input.consent ?? existing.consent;
	let keptOptOut = false;
	if (options.keepOptOut && existing.consent === 'opted_out' && consent !== 'opted_out') {
		consent = 'opted_out';
		keptOptOut = true;
	}
	const consentChanged = consent !== existing.consent;
	const changed = consentChanged || name !== existing.name || !sameTags(tags, existing.tags);
	if (!changed) return { contact: existing, outcome: 'unchanged', keptOptOut, consentChanged: false };
	const { rows } = await tx.query<ContactRow>(
		`UPDATE contacts SET name = $2, tags = $3, consent = $4,
		   consent_source = CASE WHEN $5 THEN $6 ELSE consent_source END,
		   consent_updated_at = CASE WHEN $5 THEN now() ELSE consent_updated_at END,
		   updated_at = now()
		 WHERE id = $1 RETURNING ${CONTACT_COLUMNS}`,
		[existing.id, name, tags, consent, consentChanged, options.source],
	);
	if (consentChanged) {
		await recordConsent(tx, existing.id, consent, options.source, { note: input.consent_note });
		if (options.source === 'api') await emitApiConsentChange(tx, rows[0]);
	}
	return { contact: rows[0], outcome: 'updated', keptOptOut, consentChanged };
}

function dedupeTags(tags: string[]): string[] {
	return [...new Set(tags.map((t) => t.trim()).filter(Boolean))].sort();
}
function sameTags(a: string[], b: string[]): boolean {
	const x = [...a].sort();
	const y = [...b].sort();
	return x.length === y.length && x.every((t, i) => t === y[i]);
}

export async function getContact(db: Db, waId: string): Promise<ContactRow | undefined> {
	return (await db.query<ContactRow>(`SELECT ${CONTACT_COLUMNS} FROM contacts WHERE wa_id = $1`, [waId])).rows[0];
}

interface ConsentHistoryRow {
	consent: string;
	source: string;
	message_id: string | null;
	note: string | null;
	occurred_at: Date;
}

export async function consentHistory(db: Db, subjectId: string): Promise<ConsentHistoryRow[]> {
	const { rows } = await db.query<ConsentHistoryRow>(
		'SELECT consent, source, message_id, note, occurred_at FROM consent_events WHERE subject_id = $1 ORDER BY id',
		[subjectId],
	);
	return rows;
}

export async function listContacts(
	db: Db,
	filter: { tags?: string[]; consent?: ConsentState; after?: string; limit: number },
): Promise<ContactRow[]> {
	const { rows } = await db.query<ContactRow>(
		`SELECT ${CONTACT_COLUMNS} FROM contacts
		 WHERE ($1::text[] IS NULL OR tags @> $1::text[])
		   AND ($2::text IS NULL OR consent = $2)
		   AND ($3::text IS NULL OR wa_id > $3)
		 ORDER BY wa_id LIMIT $4`,
		[filter.tags?.length ? filter.tags : null, filter.consent ?? null, filter.after ?? null, filter.limit],
	);
	return rows;
}

/** An explicit consent change for one contact (creating it when new). */
export async function setConsent(
	tx: PoolClient,
	waId: string,
	consent: ConsentState,
	note?: string,
): Promise<{ contact: ContactRow; changed: boolean }> {
	const result = await upsertContact(tx, { wa_id: waId, consent, consent_note: note }, { source: 'api' });
	return { contact: result.contact, changed: result.consentChanged };
}

/** `contact.opted_out` / `contact.opted_in` for a change made through the API (imports emit none). */
async function emitApiConsentChange(tx: PoolClient, contact: ContactRow): Promise<void> {
	if (contact.consent === 'unknown') return;
	await emitEvent(tx, {
		type: contact.consent === 'opted_out' ? 'contact.opted_out' : 'contact.opted_in',
		dedupeKey: `contact.consent:${contact.id}:${(contact.consent_updated_at ?? new Date()).toISOString()}`,
		occurredAt: contact.consent_updated_at ?? new Date(),
		payload: { wa_id: contact.wa_id, consent: contact.consent, source: 'api', message_id: null },
	});
}

/**
 * Erasure: removes every piece of personal data about the contact — the contact row, its numbers in
 * campaign ledgers, the stored Meta events and raw payloads that mention it — and keeps only an
 * anonymous consent record (a random subject id, states, sources, times).
 */
export async function eraseContact(tx: PoolClient, waId: string): Promise<boolean> {
	const contact = (await tx.query<{ id: string }>('SELECT id FROM contacts WHERE wa_id = $1 FOR UPDATE', [waId])).rows[0];
	// Even without a contact row, the number may sit in events and ledgers: erase those as well.
	if (contact) {
		await tx.query('UPDATE consent_events SET message_id = NULL, note = NULL WHERE subject_id = $1', [contact.id]);
		await recordConsent(tx, contact.id, 'erased', 'erasure');
	}
	const ledger = await tx.query(
		`UPDATE campaign_recipients SET wa_id = NULL, contact_id = NULL, wamid = NULL, error_details = NULL, fbtrace_id = NULL, updated_at = now()
		 WHERE wa_id = $1 ${contact ? 'OR contact_id = $2' : ''}`,
		contact ? [waId, contact.id] : [waId],
	);
	// Events (normalized payloads) and the raw webhook bodies that mention the number. Meta writes
	// wa_id / from / recipient_id as JSON strings, so the quoted number is matched: a longer number
	// or an id that merely contains these digits is left alone.
	const quoted = `"${waId}"`;
	const events = await tx.query(
		`UPDATE events SET payload = jsonb_build_object('erased', true), payload_id = NULL
		 WHERE strpos(payload::text, $1) > 0 RETURNING id`,
		[quoted],
	);
	const raw = await tx.query<{ id: string }>(`SELECT id FROM webhook_payloads WHERE position(convert_to($1, 'UTF8') IN raw_body) > 0`, [quoted]);
	if (raw.rows.length) {
		const ids = raw.rows.map((r) => r.id);
		await tx.query('UPDATE events SET payload_id = NULL WHERE payload_id = ANY ($1::bigint[])', [ids]);
		await tx.query('DELETE FROM webhook_payloads WHERE id = ANY ($1::bigint[])', [ids]);
	}
	if (contact) await tx.query('DELETE FROM contacts WHERE id = $1', [contact.id]);
	return Boolean(contact) || (ledger.rowCount ?? 0) > 0 || (events.rowCount ?? 0) > 0 || raw.rows.length > 0;
}

/** What the inbound hook needs from a stored `whatsapp.message` event. */
interface InboundMessageEvent {
	id: string | number;
	occurredAt: Date;
	payload: { wamid?: unknown; from?: unknown; profile_name?: unknown; text?: unknown; message?: unknown };
}

/** The senders of a batch of inbound messages, once each (latest message time, first profile name). */
export function inboundSenders(events: readonly InboundMessageEvent[]): { wa_ids: string[]; names: Array<string | null>; ats: Date[] } {
	const senders = new Map<string, { at: Date; name: string | null }>();
	for (const event of [...events].sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime())) {
		const from = senderOf(event);
		if (!from) continue;
		const name = typeof event.payload.profile_name === 'string' ? event.payload.profile_name : null;
		senders.set(from, { at: event.occurredAt, name: senders.get(from)?.name ?? name });
	}
	const wa_ids = [...senders.keys()].sort();
	return { wa_ids, names: wa_ids.map((w) => senders.get(w)!.name), ats: wa_ids.map((w) => senders.get(w)!.at) };
}

function senderOf(event: InboundMessageEvent): string | undefined {
	return typeof event.payload.from === 'string' && /^[1-9]\d{7,14}$/.test(event.payload.from) ? event.payload.from : undefined;
}

/** Upserts the senders: contact created if new, last_inbound_at moved forward. Usable as a CTE. */
export function upsertSendersSql(senders: ReturnType<typeof inboundSenders>): SqlFragment {
	return sql`INSERT INTO contacts (wa_id, name, last_inbound_at)
	SELECT * FROM unnest(${senders.wa_ids}::text[], ${senders.names}::text[], ${senders.ats}::timestamptz[])
	ON CONFLICT (wa_id) DO UPDATE SET
	  last_inbound_at = greatest(contacts.last_inbound_at, excluded.last_inbound_at),
	  name = coalesce(contacts.name, excluded.name),
	  updated_at = now()`;
}

/**
 * STOP/START keywords of inbound messages whose senders exist as contacts: recorded with the message
 * id, in message-time order (a late STOP older than the current keyword consent changes nothing),
 * emitting `contact.opted_out` / `contact.opted_in`.
 */
export async function applyKeywords(tx: PoolClient, events: readonly InboundMessageEvent[], keywords: KeywordLists): Promise<void> {
	const sorted = [...events].sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
	for (const event of sorted) {
		const from = senderOf(event);
		if (!from) continue;
		const text = typeof event.payload.text === 'string' ? event.payload.text : messageText(event.payload.message);
		const change = consentChangeFor(text, keywords);
		if (!change) continue;
		const wamid = boundedKey(typeof event.payload.wamid === 'string' ? event.payload.wamid : String(event.id));
		const contact = (
			await tx.query<{ id: string; consent: ConsentState; consent_source: string | null; consent_updated_at: Date | null }>(
				'SELECT id, consent, consent_source, consent_updated_at FROM contacts WHERE wa_id = $1 FOR UPDATE',
				[from],
			)
		).rows[0];
		// Keyword messages apply in message-time order: a STOP delivered late, older than the START the
		// customer sent after it, changes nothing. Consent set by the business (api/import) never
		// outranks the customer's own keyword.
		if (contact.consent_source === 'keyword' && contact.consent_updated_at && contact.consent_updated_at.getTime() > event.occurredAt.getTime()) continue;
		const recorded = await recordConsent(tx, contact.id, change, 'keyword', { messageId: wamid, at: event.occurredAt });
		if (!recorded || contact.consent === change) continue;
		await tx.query(
			`UPDATE contacts SET consent = $2, consent_source = 'keyword', consent_updated_at = $3, updated_at = now() WHERE id = $1`,
			[contact.id, change, event.occurredAt],
		);
		await emitEvent(tx, {
			type: change === 'opted_out' ? 'contact.opted_out' : 'contact.opted_in',
			dedupeKey: `contact.keyword:${wamid}`,
			occurredAt: event.occurredAt,
			payload: { wa_id: from, consent: change, source: 'keyword', message_id: wamid, text },
		});
	}
}
