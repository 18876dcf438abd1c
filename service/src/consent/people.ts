// One contact per person, whichever identifiers Meta shows: finds the contact(s) of a phone number and
// a BSUID, joins two records that turn out to be one person (consent history, ledgers and tags move to
// the older record; an opt-out is never lost), and applies identifier changes (a phone-number change
// gives a new BSUID: the consent the person gave stays).
import type { PoolClient } from 'pg';
import { joinedConsent } from './identity';
import type { ConsentState } from './keywords';

export interface ContactRow {
	id: string;
	wa_id: string | null;
	user_id: string | null;
	parent_user_id: string | null;
	username: string | null;
	former_user_ids: string[];
	name: string | null;
	tags: string[];
	consent: ConsentState;
	consent_source: string | null;
	consent_updated_at: Date | null;
	last_inbound_at: Date | null;
	created_at: Date;
	updated_at: Date;
}

export const CONTACT_COLUMNS =
	'id, wa_id, user_id, parent_user_id, username, former_user_ids, name, tags, consent, consent_source, consent_updated_at, last_inbound_at, created_at, updated_at';

/** What a webhook or a caller knows about a person. */
export interface PersonIds {
	wa_id?: string | null;
	user_id?: string | null;
	parent_user_id?: string | null;
	username?: string | null;
	/** Profile name, kept only when the contact has none. */
	name?: string | null;
}

interface ResolveOptions {
	/** Create the contact when none matches. */
	create: boolean;
	/** Inbound message time: moves last_inbound_at forward. */
	inboundAt?: Date;
	/** New identifiers replacing the old ones (Meta's identifier-change webhooks). */
	change?: { wa_id?: string | null; user_id?: string | null };
}

/** The contact (locked FOR UPDATE) whose phone number or BSUID (current or former) is one of these. */
export async function findContacts(
	tx: PoolClient,
	waIds: Array<string | null | undefined>,
	userIds: Array<string | null | undefined>,
): Promise<ContactRow[]> {
	const phones = waIds.filter((v): v is string => Boolean(v));
	const bsuids = userIds.filter((v): v is string => Boolean(v));
	if (!phones.length && !bsuids.length) return [];
	const { rows } = await tx.query<ContactRow>(
		`SELECT ${CONTACT_COLUMNS} FROM contacts
		 WHERE wa_id = ANY ($1::text[]) OR user_id = ANY ($2::text[]) OR former_user_ids && $2::text[]
		 ORDER BY created_at, id FOR UPDATE`,
		[phones, bsuids],
	);
	return rows;
}

/**
 * The one contact of the person these identifiers name: created when new (with `create`), joined when
 * the phone number and the BSUID were two records, completed with identifiers it lacked.
 */
export async function resolvePerson(
	tx: PoolClient,
	seen: PersonIds,
	options: ResolveOptions,
): Promise<ContactRow | undefined> {
	const found = await findContacts(tx, [seen.wa_id, options.change?.wa_id], [seen.user_id, options.change?.user_id]);
	if (found.length === 0) {
		if (!options.create) return undefined;
		const wa_id = options.change?.wa_id ?? seen.wa_id ?? null;
		const user_id = options.change?.user_id ?? seen.user_id ?? null;
		const { rows } = await tx.query<ContactRow>(
			`INSERT INTO contacts (wa_id, user_id, parent_user_id, username, name, last_inbound_at) VALUES ($1, $2, $3, $4, $5, $6)
			 ON CONFLICT DO NOTHING RETURNING ${CONTACT_COLUMNS}`,
			[
				wa_id,
				user_id,
				seen.parent_user_id ?? null,
				seen.username ?? null,
				seen.name ?? null,
				options.inboundAt ?? null,
			],
		);
		// Created concurrently by another transaction: take that one.
		return rows[0] ?? resolvePerson(tx, seen, options);
	}
	const [kept, ...others] = found;
	const joined = await absorb(tx, kept, others);
	return await completeIdentifiers(tx, joined, seen, options);
}

/** Moves every record of `others` (the same person) onto `kept` and deletes them. */
async function absorb(tx: PoolClient, kept: ContactRow, others: ContactRow[]): Promise<ContactRow> {
	if (others.length === 0) return kept;
	let merged: ContactRow = { ...kept };
	for (const other of others) {
		const consent = joinedConsent(merged, other);
		merged = {
			...merged,
			...consent,
			wa_id: merged.wa_id ?? other.wa_id,
			user_id: merged.user_id ?? other.user_id,
			parent_user_id: merged.parent_user_id ?? other.parent_user_id,
			username: merged.username ?? other.username,
			former_user_ids: [
				...new Set([
					...merged.former_user_ids,
					...other.former_user_ids,
					...(merged.user_id && other.user_id && other.user_id !== merged.user_id ? [other.user_id] : []),
				]),
			],
			name: merged.name ?? other.name,
			tags: [...new Set([...merged.tags, ...other.tags])].sort(),
			last_inbound_at: latest(merged.last_inbound_at, other.last_inbound_at),
		};
		await tx.query('UPDATE consent_events SET subject_id = $1 WHERE subject_id = $2', [kept.id, other.id]);
		// A campaign that snapshotted both records must still message the person once.
		await tx.query(
			`UPDATE campaign_recipients o SET state = 'skipped', skip_reason = 'same_person', updated_at = now()
			 WHERE o.contact_id = $2 AND o.state IN ('pending', 'unknown')
			   AND EXISTS (SELECT 1 FROM campaign_recipients k WHERE k.campaign_id = o.campaign_id AND k.contact_id = $1)`,
			[kept.id, other.id],
		);
		await tx.query('UPDATE campaign_recipients SET contact_id = $1 WHERE contact_id = $2', [kept.id, other.id]);
		await tx.query('DELETE FROM contacts WHERE id = $1', [other.id]);
	}
	if (merged.consent !== kept.consent) {
		await tx.query(`INSERT INTO consent_events (subject_id, consent, source, note) VALUES ($1, $2, 'join', $3)`, [
			kept.id,
			merged.consent,
			'The phone-number record and the BSUID record of this person were joined.',
		]);
	}
	const { rows } = await tx.query<ContactRow>(
		`UPDATE contacts SET wa_id = $2, user_id = $3, parent_user_id = $4, username = $5, former_user_ids = $6, name = $7, tags = $8,
		   consent = $9, consent_source = $10, consent_updated_at = $11, last_inbound_at = $12, updated_at = now()
		 WHERE id = $1 RETURNING ${CONTACT_COLUMNS}`,
		[
			kept.id,
			merged.wa_id,
			merged.user_id,
			merged.parent_user_id,
			merged.username,
			merged.former_user_ids,
			merged.name,
			merged.tags,
			merged.consent,
			merged.consent_source,
			merged.consent_updated_at,
			merged.last_inbound_at,
		],
	);
	return rows[0];
}

/** The identifier columns `completeIdentifiers` writes. */
type Completion = Pick<
	ContactRow,
	'wa_id' | 'user_id' | 'parent_user_id' | 'username' | 'name' | 'last_inbound_at' | 'former_user_ids'
>;

/**
 * What `completeIdentifiers` writes to `contact` (identifiers it lacks, an identifier change,
 * last_inbound_at moved forward), or undefined when nothing changes.
 */
export function completion(contact: ContactRow, seen: PersonIds, options: ResolveOptions): Completion | undefined {
	const newUserId = options.change?.user_id ?? seen.user_id ?? null;
	const newWaId = options.change?.wa_id ?? null;
	let formerUserIds = contact.former_user_ids;
	let userId = contact.user_id;
	// A former BSUID seen again (a late webhook) does not replace the current one.
	if (newUserId && newUserId !== contact.user_id && !contact.former_user_ids.includes(newUserId)) {
		if (contact.user_id) formerUserIds = [...formerUserIds, contact.user_id];
		userId = newUserId;
	}
	if (options.change?.user_id) formerUserIds = formerUserIds.filter((id) => id !== options.change!.user_id);
	const next: Completion = {
		wa_id: newWaId ?? contact.wa_id ?? seen.wa_id ?? null,
		user_id: userId,
		parent_user_id: seen.parent_user_id ?? contact.parent_user_id,
		username: seen.username ?? contact.username,
		name: contact.name ?? seen.name ?? null,
		last_inbound_at: latest(contact.last_inbound_at, options.inboundAt ?? null),
		former_user_ids: formerUserIds,
	};
	const unchanged =
		next.wa_id === contact.wa_id &&
		next.user_id === contact.user_id &&
		next.parent_user_id === contact.parent_user_id &&
		next.username === contact.username &&
		next.name === contact.name &&
		next.last_inbound_at?.getTime() === contact.last_inbound_at?.getTime() &&
		formerUserIds.length === contact.former_user_ids.length;
	return unchanged ? undefined : next;
}

/** Fills identifiers the contact lacks, applies an identifier change, moves last_inbound_at forward. */
async function completeIdentifiers(
	tx: PoolClient,
	contact: ContactRow,
	seen: PersonIds,
	options: ResolveOptions,
): Promise<ContactRow> {
	const next = completion(contact, seen, options);
	if (!next) return contact;
	const { rows } = await tx.query<ContactRow>(
		`UPDATE contacts SET wa_id = $2, user_id = $3, parent_user_id = $4, username = $5, name = $6, last_inbound_at = $7, former_user_ids = $8, updated_at = now()
		 WHERE id = $1 RETURNING ${CONTACT_COLUMNS}`,
		[
			contact.id,
			next.wa_id,
			next.user_id,
			next.parent_user_id,
			next.username,
			next.name,
			next.last_inbound_at,
			next.former_user_ids,
		],
	);
	return rows[0];
}

function latest(a: Date | null, b: Date | null): Date | null {
	if (!a) return b;
	if (!b) return a;
	return a.getTime() >= b.getTime() ? a : b;
}

/** A person seen in an inbound message, and when. */
export interface InboundPerson {
	ids: PersonIds;
	at: Date;
}

/** Indexes contacts by every identifier `findContacts` matches on: phone number, BSUID, former BSUIDs. */
function contactsByIdentifier(contacts: readonly ContactRow[]): Map<string, ContactRow[]> {
	const byId = new Map<string, ContactRow[]>();
	const add = (key: string, contact: ContactRow) => {
		const list = byId.get(key) ?? [];
		if (!list.includes(contact)) list.push(contact);
		byId.set(key, list);
	};
	for (const contact of contacts) {
		if (contact.wa_id) add(`p:${contact.wa_id}`, contact);
		for (const userId of [contact.user_id, ...contact.former_user_ids]) if (userId) add(`u:${userId}`, contact);
	}
	return byId;
}

/**
 * Inbound senders in a fixed number of statements instead of two per person: one SELECT … FOR UPDATE
 * of every contact any of them names, one INSERT of the people no contact knows yet, and one UPDATE of
 * the people exactly one contact knows (the same rows `resolvePerson(…, { create: true, inboundAt })`
 * would write one by one: identifiers completed, last_inbound_at moved forward). Only people who share
 * no identifier with another person of the list take part. Returns the others (sharing an identifier,
 * two records of one person to join, two people naming one contact, or created meanwhile by a
 * concurrent transaction) for `resolvePerson`, in the list's order; nothing they look up is written here.
 */
export async function upsertInboundPeople(tx: PoolClient, people: readonly InboundPerson[]): Promise<InboundPerson[]> {
	const idsOf = (p: InboundPerson) => [p.ids.wa_id, p.ids.user_id].filter((v): v is string => Boolean(v));
	const uses = new Map<string, number>();
	for (const person of people) for (const id of idsOf(person)) uses.set(id, (uses.get(id) ?? 0) + 1);
	const candidates = people.filter((p) => idsOf(p).length > 0 && idsOf(p).every((id) => uses.get(id) === 1));
	if (candidates.length < 2) return [...people]; // nothing to save over resolvePerson
	const { rows: known } = await tx.query<ContactRow>(
		`SELECT ${CONTACT_COLUMNS} FROM contacts
		 WHERE wa_id = ANY ($1::text[]) OR user_id = ANY ($2::text[]) OR former_user_ids && $2::text[]
		 ORDER BY created_at, id FOR UPDATE`,
		[
			candidates.flatMap((p) => (p.ids.wa_id ? [p.ids.wa_id] : [])),
			candidates.flatMap((p) => (p.ids.user_id ? [p.ids.user_id] : [])),
		],
	);
	const byIdentifier = contactsByIdentifier(known);
	const matches = new Map(
		candidates.map((p) => {
			const found = [
				...(p.ids.wa_id ? (byIdentifier.get(`p:${p.ids.wa_id}`) ?? []) : []),
				...(p.ids.user_id ? (byIdentifier.get(`u:${p.ids.user_id}`) ?? []) : []),
			];
			return [p, [...new Set(found)]] as const;
		}),
	);
	const claims = new Map<string, number>();
	for (const found of matches.values()) for (const c of found) claims.set(c.id, (claims.get(c.id) ?? 0) + 1);
	const fresh = candidates.filter((p) => matches.get(p)!.length === 0);
	const updates: Array<{ id: string } & Completion> = [];
	const done = new Set<InboundPerson>();
	for (const [person, found] of matches) {
		if (found.length !== 1 || claims.get(found[0].id) !== 1) continue;
		const next = completion(found[0], person.ids, { create: true, inboundAt: person.at });
		if (next) updates.push({ id: found[0].id, ...next });
		done.add(person);
	}
	for (const person of await insertPeople(tx, fresh)) done.add(person);
	if (updates.length > 0)
		await tx.query(
			`UPDATE contacts c SET wa_id = u.wa_id, user_id = u.user_id, parent_user_id = u.parent_user_id, username = u.username,
			   name = u.name, last_inbound_at = u.last_inbound_at, former_user_ids = u.former_user_ids, updated_at = now()
			 FROM jsonb_to_recordset($1::jsonb) AS u (id uuid, wa_id text, user_id text, parent_user_id text, username text,
			   name text, last_inbound_at timestamptz, former_user_ids text[])
			 WHERE c.id = u.id`,
			[JSON.stringify(updates)],
		);
	return people.filter((p) => !done.has(p));
}

/** Inserts contacts for `people` (nobody knows them); returns those inserted (not created meanwhile elsewhere). */
async function insertPeople(tx: PoolClient, people: readonly InboundPerson[]): Promise<InboundPerson[]> {
	if (people.length === 0) return [];
	const { rows: created } = await tx.query<{ wa_id: string | null; user_id: string | null }>(
		`INSERT INTO contacts (wa_id, user_id, parent_user_id, username, name, last_inbound_at)
		 SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[])
		 ON CONFLICT DO NOTHING RETURNING wa_id, user_id`,
		[
			people.map((p) => p.ids.wa_id ?? null),
			people.map((p) => p.ids.user_id ?? null),
			people.map((p) => p.ids.parent_user_id ?? null),
			people.map((p) => p.ids.username ?? null),
			people.map((p) => p.ids.name ?? null),
			people.map((p) => p.at),
		],
	);
	const inserted = new Set(created.map((c) => `${c.wa_id ?? ''} ${c.user_id ?? ''}`));
	return people.filter((p) => inserted.has(`${p.ids.wa_id ?? ''} ${p.ids.user_id ?? ''}`));
}
