// /api/v1/contacts: contacts addressed by phone number (E.164) or BSUID, consent with history, bulk
// import, erasure.
import type { Pool } from 'pg';
import { z } from 'zod';
import { parseContactKey, type ContactKey } from '../consent/identity';
import {
	consentHistory,
	eraseContact,
	getContact,
	listContacts,
	listKey,
	setConsent,
	upsertContact,
	type ContactRow,
} from '../consent/repository';
import { HttpError } from '../http/errors';
import { decodeCursor, encodeCursor, notFound, type ApiBuilder } from './route';
import {
	consentBody,
	contactDetailSchema,
	contactImportBody,
	contactImportResult,
	contactListQuery,
	contactPutBody,
	contactSchema,
	listOf,
	contactIdParam,
} from './schemas';
import { inTransaction } from './tx';

const SERVICE_WINDOW_MS = 24 * 60 * 60 * 1000;

function toContact(row: ContactRow, now = Date.now()) {
	return {
		wa_id: row.wa_id,
		user_id: row.user_id,
		parent_user_id: row.parent_user_id,
		username: row.username,
		name: row.name,
		tags: row.tags,
		consent: row.consent,
		consent_source: row.consent_source,
		consent_updated_at: row.consent_updated_at,
		last_inbound_at: row.last_inbound_at,
		within_service_window: row.last_inbound_at !== null && now - row.last_inbound_at.getTime() < SERVICE_WINDOW_MS,
		created_at: row.created_at,
		updated_at: row.updated_at,
	};
}

function keyOr422(value: string): ContactKey {
	const result = parseContactKey(value);
	if (!result.ok)
		throw new HttpError(
			422,
			result.problem === 'invalid_user_id' ? 'invalid_user_id' : 'invalid_wa_id',
			result.message,
			{ problem: result.problem },
		);
	return result.wa_id !== undefined ? { wa_id: result.wa_id } : { user_id: result.user_id! };
}

export function contactRoutes(api: ApiBuilder, pool: Pool): void {
	api.schema('Contact', contactSchema);
	api.route({
		method: 'get',
		path: '/api/v1/contacts',
		tag: 'contacts',
		scope: 'contacts',
		summary: 'List contacts, filtered by tags and consent (ordered by wa_id, then people known only by user_id).',
		query: contactListQuery,
		success: { status: 200, description: 'A page of contacts.', schema: listOf(contactSchema) },
		handler: async ({ query }) => {
			const after = decodeCursor(query.cursor, z.string().regex(/^(\d+|[A-Z]{2}\.[A-Za-z0-9]+)$/));
			const rows = await listContacts(pool, { tags: query.tag, consent: query.consent, after, limit: query.limit + 1 });
			const page = rows.slice(0, query.limit);
			return {
				body: {
					data: page.map((r) => toContact(r)),
					next_cursor: rows.length > query.limit ? encodeCursor(listKey(page[page.length - 1])) : null,
				},
			};
		},
	});
	api.route({
		method: 'post',
		path: '/api/v1/contacts',
		tag: 'contacts',
		scope: 'contacts',
		summary:
			'Bulk import (idempotent): upserts each contact, merges tags; invalid numbers are rejected with the reason.',
		description:
			'An import never turns an opted-out contact back to opted in (counted in kept_opted_out): only the customer (START) or an explicit POST /contacts/{id}/consent can.',
		body: contactImportBody,
		success: { status: 200, description: 'What happened to each row.', schema: contactImportResult },
		handler: async ({ body }) => {
			const result = {
				created: 0,
				updated: 0,
				unchanged: 0,
				kept_opted_out: 0,
				rejected: [] as z.infer<typeof contactImportResult>['rejected'],
			};
			const valid: Array<{ key: ContactKey; sortKey: string; item: (typeof body.contacts)[number] }> = [];
			body.contacts.forEach((item, index) => {
				const given = item.user_id ?? item.wa_id;
				const parsed = parseContactKey(given);
				if (parsed.ok) {
					const key: ContactKey = parsed.wa_id !== undefined ? { wa_id: parsed.wa_id } : { user_id: parsed.user_id! };
					valid.push({ key, sortKey: (parsed.wa_id ?? parsed.user_id)!, item });
				} else
					result.rejected.push({ index, wa_id: String(given ?? ''), problem: parsed.problem, message: parsed.message });
			});
			// Fixed order: concurrent imports of overlapping lists lock rows in the same order.
			valid.sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));
			await inTransaction(pool, async (tx) => {
				for (const { key, item } of valid) {
					const outcome = await upsertContact(
						tx,
						{ key, name: item.name, tags: item.tags, consent: item.consent, consent_note: item.consent_note },
						{ source: 'import', mergeTags: true, keepOptOut: true },
					);
					result[outcome.outcome]++;
					if (outcome.keptOptOut) result.kept_opted_out++;
				}
			});
			return { body: result };
		},
	});
	contactRecordRoutes(api, pool);
}

/** One contact: create or update, read, erase, consent. */
function contactRecordRoutes(api: ApiBuilder, pool: Pool): void {
	api.route({
		method: 'put',
		path: '/api/v1/contacts/:id',
		tag: 'contacts',
		scope: 'contacts',
		summary: 'Create or update one contact (given fields replace; tags replace).',
		params: contactIdParam,
		body: contactPutBody,
		success: {
			status: 200,
			description: 'Updated.',
			schema: contactSchema,
			also: { status: 201, description: 'Created.' },
		},
		handler: async ({ params, body }) => {
			const key = keyOr422(params.id);
			const outcome = await inTransaction(pool, (tx) =>
				upsertContact(
					tx,
					{ key, name: body.name, tags: body.tags, consent: body.consent, consent_note: body.consent_note },
					{ source: 'api' },
				),
			);
			return { status: outcome.outcome === 'created' ? 201 : 200, body: toContact(outcome.contact) };
		},
	});
	api.route({
		method: 'get',
		path: '/api/v1/contacts/:id',
		tag: 'contacts',
		scope: 'contacts',
		summary: 'Get one contact with its consent history.',
		params: contactIdParam,
		success: { status: 200, description: 'The contact.', schema: contactDetailSchema },
		errors: { 404: 'No such contact.' },
		handler: async ({ params }) => {
			const row = await getContact(pool, keyOr422(params.id));
			if (!row) throw notFound('No contact with this phone number or user_id.');
			return { body: { ...toContact(row), consent_history: await consentHistory(pool, row.id) } };
		},
	});
	api.route({
		method: 'delete',
		path: '/api/v1/contacts/:id',
		tag: 'contacts',
		scope: 'contacts',
		summary:
			'Erase a contact: removes all personal data (contact, its phone number and BSUIDs in ledgers and stored messages); keeps an anonymous consent record.',
		params: contactIdParam,
		success: { status: 204, description: 'Erased.' },
		errors: { 404: 'Nothing is stored about this number.' },
		handler: async ({ params }) => {
			const erased = await inTransaction(pool, (tx) => eraseContact(tx, keyOr422(params.id)));
			if (!erased) throw notFound('Nothing is stored about this phone number or user_id.');
			return { status: 204 };
		},
	});
	api.route({
		method: 'post',
		path: '/api/v1/contacts/:id/consent',
		tag: 'contacts',
		scope: 'contacts',
		summary: 'Record a consent change (source "api", with an optional note); creates the contact when new.',
		params: contactIdParam,
		body: consentBody,
		success: { status: 200, description: 'The contact after the change.', schema: contactSchema },
		handler: async ({ params, body }) => {
			const key = keyOr422(params.id);
			const { contact } = await inTransaction(pool, (tx) => setConsent(tx, key, body.consent, body.note));
			return { body: toContact(contact) };
		},
	});
}
