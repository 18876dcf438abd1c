// Contacts and consent in Postgres: upsert, bulk import, list, consent changes with history, erasure.
// A contact is addressed by its phone number (`wa_id`) or its BSUID (`user_id`); what people and Meta
// say about consent arrives through ./signals.
import type { Pool, PoolClient } from 'pg';
import { emitEvent } from '../fanout/outbox';
import type { ContactKey } from './identity';
import type { ConsentState } from './keywords';
import { CONTACT_COLUMNS, type ContactRow } from './people';

export type { ContactRow } from './people';

type Db = Pool | PoolClient;

/** `wa_id = $1` or `user_id = $1` (a former BSUID also finds the person). */
function keyWhere(key: ContactKey, param = '$1'): string {
	return key.wa_id !== undefined ? `wa_id = ${param}` : `(user_id = ${param} OR ${param} = ANY (former_user_ids))`;
}
const keyValue = (key: ContactKey): string => (key.wa_id ?? key.user_id)!;

interface ContactInput {
	key: ContactKey;
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
	const existing = (
		await tx.query<ContactRow>(`SELECT ${CONTACT_COLUMNS} FROM contacts WHERE ${keyWhere(input.key)} FOR UPDATE`, [
			keyValue(input.key),
		])
	).rows[0];
	if (!existing) {
		const consent = input.consent ?? 'unknown';
		const { rows } = await tx.query<ContactRow>(
			`INSERT INTO contacts (wa_id, user_id, name, tags, consent, consent_source, consent_updated_at)
			 VALUES ($1, $6, $2, $3, $4, $5, CASE WHEN $4 = 'unknown' THEN NULL ELSE now() END)
			 ON CONFLICT DO NOTHING
			 RETURNING ${CONTACT_COLUMNS}`,
			[
				input.key.wa_id ?? null,
				input.name ?? null,
				dedupeTags(input.tags ?? []),
				consent,
				consent === 'unknown' ? null : options.source,
				input.key.user_id ?? null,
			],
		);
		if (!rows[0]) return upsertContact(tx, input, options); // created concurrently: update it instead
		if (consent !== 'unknown')
			await recordConsent(tx, rows[0].id, consent, options.source, { note: input.consent_note });
		if (options.source === 'api') await emitApiConsentChange(tx, rows[0]);
		return { contact: rows[0], outcome: 'created', keptOptOut: false, consentChanged: consent !== 'unknown' };
	}
	const tags =
		input.tags === undefined
			? existing.tags
			: dedupeTags(options.mergeTags ? [...existing.tags, ...input.tags] : input.tags);
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

export async function getContact(db: Db, key: ContactKey): Promise<ContactRow | undefined> {
	return (await db.query<ContactRow>(`SELECT ${CONTACT_COLUMNS} FROM contacts WHERE ${keyWhere(key)}`, [keyValue(key)]))
		.rows[0];
}

/** The listing order and cursor: the phone number, or the BSUID of a person known only by it. */
export const listKey = (row: Pick<ContactRow, 'wa_id' | 'user_id'>): string => (row.wa_id ?? row.user_id)!;

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
		   AND ($3::text IS NULL OR coalesce(wa_id, user_id) > $3)
		 ORDER BY coalesce(wa_id, user_id) LIMIT $4`,
		[filter.tags?.length ? filter.tags : null, filter.consent ?? null, filter.after ?? null, filter.limit],
	);
	return rows;
}

/** An explicit consent change for one contact (creating it when new). */
export async function setConsent(
	tx: PoolClient,
	key: ContactKey,
	consent: ConsentState,
	note?: string,
): Promise<{ contact: ContactRow; changed: boolean }> {
	const result = await upsertContact(tx, { key, consent, consent_note: note }, { source: 'api' });
	return { contact: result.contact, changed: result.consentChanged };
}

/** `contact.opted_out` / `contact.opted_in` for a change made through the API (imports emit none). */
async function emitApiConsentChange(tx: PoolClient, contact: ContactRow): Promise<void> {
	if (contact.consent === 'unknown') return;
	await emitEvent(tx, {
		type: contact.consent === 'opted_out' ? 'contact.opted_out' : 'contact.opted_in',
		dedupeKey: `contact.consent:${contact.id}:${(contact.consent_updated_at ?? new Date()).toISOString()}`,
		occurredAt: contact.consent_updated_at ?? new Date(),
		payload: {
			wa_id: contact.wa_id,
			user_id: contact.user_id,
			username: contact.username,
			consent: contact.consent,
			source: 'api',
			message_id: null,
		},
	});
}

/**
 * Erasure: removes every piece of personal data about the contact — the contact row, its numbers in
 * campaign ledgers, the stored Meta events and raw payloads that mention it — and keeps only an
 * anonymous consent record (a random subject id, states, sources, times).
 */
export async function eraseContact(tx: PoolClient, key: ContactKey): Promise<boolean> {
	const contact = (
		await tx.query<Pick<ContactRow, 'id' | 'wa_id' | 'user_id' | 'parent_user_id' | 'former_user_ids'>>(
			`SELECT id, wa_id, user_id, parent_user_id, former_user_ids FROM contacts WHERE ${keyWhere(key)} FOR UPDATE`,
			[keyValue(key)],
		)
	).rows[0];
	// Every identifier of the person: the number, the BSUID, the parent BSUID and former BSUIDs.
	// Even without a contact row, the identifier may sit in events and ledgers: erase those as well.
	const identifiers = [
		...new Set(
			[
				keyValue(key),
				...(contact ? [contact.wa_id, contact.user_id, contact.parent_user_id, ...contact.former_user_ids] : []),
			].filter((v): v is string => Boolean(v)),
		),
	];
	if (contact) {
		await tx.query('UPDATE consent_events SET message_id = NULL, note = NULL WHERE subject_id = $1', [contact.id]);
		await recordConsent(tx, contact.id, 'erased', 'erasure');
	}
	const ledger = await tx.query(
		`UPDATE campaign_recipients SET wa_id = NULL, user_id = NULL, contact_id = NULL, wamid = NULL, error_details = NULL, fbtrace_id = NULL, updated_at = now()
		 WHERE wa_id = ANY ($1::text[]) OR user_id = ANY ($1::text[]) OR contact_id = $2`,
		[identifiers, contact?.id ?? null],
	);
	// Events (normalized payloads) and the raw webhook bodies that mention an identifier. Meta writes
	// them as JSON strings, so the quoted value is matched: a longer number or an id that merely
	// contains these characters is left alone. (A username always comes with the BSUID, so the
	// payloads holding it go too.)
	const quoted = identifiers.map((id) => `"${id}"`);
	const events = await tx.query(
		`UPDATE events SET payload = jsonb_build_object('erased', true), payload_id = NULL
		 WHERE EXISTS (SELECT 1 FROM unnest($1::text[]) q WHERE strpos(payload::text, q) > 0) RETURNING id`,
		[quoted],
	);
	const raw = await tx.query<{ id: string }>(
		`SELECT id FROM webhook_payloads WHERE EXISTS (SELECT 1 FROM unnest($1::text[]) q WHERE position(convert_to(q, 'UTF8') IN raw_body) > 0)`,
		[quoted],
	);
	if (raw.rows.length) {
		const ids = raw.rows.map((r) => r.id);
		await tx.query('UPDATE events SET payload_id = NULL WHERE payload_id = ANY ($1::bigint[])', [ids]);
		await tx.query('DELETE FROM webhook_payloads WHERE id = ANY ($1::bigint[])', [ids]);
	}
	if (contact) await tx.query('DELETE FROM contacts WHERE id = $1', [contact.id]);
	return Boolean(contact) || (ledger.rowCount ?? 0) > 0 || (events.rowCount ?? 0) > 0 || raw.rows.length > 0;
}
