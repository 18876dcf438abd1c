// The people of a simple batch of inbound messages, written by the event store's insert statement
// itself (`EventHook.fold`): a batch whose people need nothing else is then one statement, with no
// BEGIN and COMMIT round trips (at 1,000 inbound messages per second the people's transaction was
// most of the time a webhook waited for its answer).
//
// A batch is simple when its only work for the people is senders to record: no STOP/START keyword,
// no system message, no identifier change, no user_preferences, no 131050 failure; one message per
// person; no identifier shared by two people. The statement then does what `upsertInboundPeople`
// does for such a batch, in `tp_record_inbound_senders` (migration 360): a person no contact knows
// becomes a contact; a person exactly one contact knows, and whose identifiers that contact already
// has, moves its last_inbound_at forward. Anything else it finds (two records of one person,
// identifiers to complete, two people naming one contact, a contact created meanwhile) aborts the
// statement (SQLSTATE TPF01), and the event store writes the batch again with the people in a
// transaction (`applyPeopleSignals`).
import type { NormalizedEvent } from '../core/meta-events';
import { STORED_EVENTS, type FoldedWork } from '../db/events';
import { sql } from '../db/sql';
import { consentChangeFor, type KeywordLists } from './keywords';
import type { PersonIds } from './people';
import { idsOf, isStopError, keywordText, personKey } from './signals';

/** A sender of the batch as the statement gets it: the message's dedupe key, who, and when. */
export interface FoldedSender extends Required<PersonIds> {
	dedupe_key: string;
	at: string;
}

/** The senders of `events` when the batch is simple (see above), else undefined. Pure. */
export function simpleSenders(events: readonly NormalizedEvent[], keywords: KeywordLists): FoldedSender[] | undefined {
	const senders = new Map<string, FoldedSender>();
	const identifiers = new Set<string>();
	for (const event of events) {
		if (event.type === 'whatsapp.user_id_update' || event.type === 'whatsapp.user_preference') return undefined;
		if (event.type === 'whatsapp.status' && isStopError(event.payload)) return undefined;
		if (event.type !== 'whatsapp.message') continue;
		if (event.payload.message_type === 'system') return undefined;
		if (consentChangeFor(keywordText(event.payload), keywords)) return undefined;
		const ids = idsOf(event.payload);
		const key = personKey(ids);
		if (!key) continue;
		if (senders.has(key)) return undefined;
		for (const id of [ids.wa_id && `p:${ids.wa_id}`, ids.user_id && `u:${ids.user_id}`]) {
			if (!id) continue;
			if (identifiers.has(id)) return undefined;
			identifiers.add(id);
		}
		senders.set(key, {
			dedupe_key: event.dedupeKey,
			wa_id: ids.wa_id ?? null,
			user_id: ids.user_id ?? null,
			parent_user_id: ids.parent_user_id ?? null,
			username: ids.username ?? null,
			name: ids.name ?? null,
			at: event.occurredAt.toISOString(),
		});
	}
	// In the order upsertSenders takes them (by key): contacts are inserted in the same order.
	return senders.size > 0 ? [...senders.keys()].sort().map((key) => senders.get(key)!) : undefined;
}

/**
 * The statement's part for `senders` (from `simpleSenders`): `tp_record_inbound_senders` (migration
 * 360) with the senders whose message the statement newly stored (a redelivered message changes
 * nothing, as in `applyPeopleSignals`). It raises TPF01 when the batch needs the transaction path.
 */
export function peopleFoldWork(senders: readonly FoldedSender[]): FoldedWork {
	return {
		ctes: [
			sql`pf_senders AS (
				SELECT tp_record_inbound_senders(coalesce(
					(SELECT jsonb_agg(s - 'dedupe_key') FROM jsonb_array_elements(${JSON.stringify(senders)}::jsonb) AS s
					 WHERE s->>'dedupe_key' IN (SELECT dedupe_key FROM ${STORED_EVENTS})),
					'[]'::jsonb)) AS cases)`,
		],
		result: sql`(SELECT cases FROM pf_senders)`,
		fallible: true,
		done: () => undefined,
	};
}
