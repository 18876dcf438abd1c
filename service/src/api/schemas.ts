// Request and response schemas of /api/v1 (field names are the public contract: issue 4).
import { z } from 'zod';
import { ASSET_TYPES } from '../core/bundle';
import { RECIPIENT_STATES } from '../campaigns/recipient-state';
import { CONSENT_STATES } from '../consent/keywords';
import { CAMPAIGN_STATUSES } from '../campaigns/outcome';
import { parseContactKey, type ContactKey } from '../consent/identity';

const limitQuery = z.coerce
	.number({ error: (issue) => (issue.code === 'invalid_type' ? 'expected a whole number' : undefined) })
	.int({ error: 'expected a whole number' })
	.min(1)
	.max(200)
	.default(50)
	.describe('Page size (1–200, default 50).');
const cursorQuery = z.string().max(500).optional().describe('`next_cursor` of the previous page.');
const boolQuery = z.enum(['true', 'false']).transform((v) => v === 'true');
const stringList = z
	.union([z.string(), z.array(z.string())])
	.transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean));
const isoDate = z.iso.datetime();
const tag = z.string().trim().min(1).max(50);

export const listOf = <T extends z.ZodType>(item: T) =>
	z.object({ data: z.array(item), next_cursor: z.string().nullable() });

// ----- library
export const assetSchema = z.object({
	id: z.uuid(),
	slug: z.string(),
	type: z.string(),
	title: z.string(),
	content: z.unknown(),
	tags: z.array(z.string()),
	is_premium: z.boolean(),
	source_bundle: z.string().nullable(),
	created_at: isoDate,
	updated_at: isoDate,
});
export const assetListQuery = z.object({
	q: z.string().trim().min(1).max(200).optional().describe('Full-text search in title and content.'),
	type: z.enum(ASSET_TYPES).optional(),
	tag: stringList.optional().describe('Only assets with all these tags (repeat or comma-separate).'),
	premium: boolQuery.optional().describe('true: premium only; false: free only.'),
	cursor: cursorQuery,
	limit: limitQuery,
});
const assetContent = z.union([z.string().max(200_000), z.record(z.string(), z.unknown())]);
export const assetCreateBody = z
	.object({
		title: z.string().trim().min(1).max(300),
		type: z.enum(ASSET_TYPES),
		content: assetContent,
		tags: z.array(tag).max(50).default([]),
		is_premium: z.boolean().default(false),
		slug: z
			.string()
			.min(1)
			.max(200)
			.regex(/^[a-z0-9][a-z0-9._\/-]*$/)
			.optional()
			.describe('Stable key (as in bundles); generated from the title when absent.'),
	})
	.strict();
export const assetPatchBody = z
	.object({
		title: z.string().trim().min(1).max(300),
		type: z.enum(ASSET_TYPES),
		content: assetContent,
		tags: z.array(tag).max(50),
		is_premium: z.boolean(),
	})
	.partial()
	.strict()
	.refine((v) => Object.keys(v).length > 0, 'Give at least one field to change.');
export const idParams = z.object({ id: z.uuid({ error: 'must be a UUID' }) });

// ----- contacts
export const contactIdParam = z.object({
	id: z
		.string()
		.min(1)
		.max(140)
		.describe(
			'The person: an E.164 phone number (digits; a leading + and spaces are accepted) or a business-scoped user ID (BSUID, e.g. IN.1648738043044942).',
		),
});
const consentState = z.enum(CONSENT_STATES);
export const contactSchema = z.object({
	wa_id: z.string().nullable().describe('Phone number (E.164 digits); null for a person known only by user_id.'),
	user_id: z.string().nullable().describe("Meta's business-scoped user ID (BSUID); null until a webhook shows it."),
	parent_user_id: z.string().nullable().describe('Parent BSUID of a managed business portfolio, when Meta sends one.'),
	username: z.string().nullable().describe("The person's WhatsApp username (display only; it can change)."),
	name: z.string().nullable(),
	tags: z.array(z.string()),
	consent: consentState,
	consent_source: z.string().nullable().describe('api | import | keyword | meta_preferences | meta_error | join'),
	consent_updated_at: isoDate.nullable(),
	last_inbound_at: isoDate.nullable(),
	within_service_window: z
		.boolean()
		.describe('A free-form message is allowed: the customer wrote within the last 24 hours.'),
	created_at: isoDate,
	updated_at: isoDate,
});
export const contactDetailSchema = contactSchema.extend({
	consent_history: z.array(
		z.object({
			consent: z.string(),
			source: z.string(),
			message_id: z.string().nullable(),
			note: z.string().nullable(),
			occurred_at: isoDate,
		}),
	),
});
export const contactPutBody = z
	.object({
		name: z.string().trim().max(200).nullable().optional(),
		tags: z.array(tag).max(100).optional(),
		consent: consentState.optional(),
		consent_note: z.string().max(500).optional().describe('Where the consent came from, e.g. "checkout form".'),
	})
	.strict();
const contactImportItem = z.object({
	wa_id: z.union([z.string(), z.number()]).optional().describe('Phone number; give it or user_id.'),
	user_id: z.string().max(140).optional().describe('BSUID, for a person known only by it.'),
	name: z.string().trim().max(200).nullable().optional(),
	tags: z.array(tag).max(100).optional(),
	consent: consentState.optional(),
	consent_note: z.string().max(500).optional(),
});
export const contactImportBody = z
	.object({
		contacts: z.array(contactImportItem).min(1).max(5000),
	})
	.strict();
export const contactImportResult = z.object({
	created: z.number().int(),
	updated: z.number().int(),
	unchanged: z.number().int(),
	kept_opted_out: z
		.number()
		.int()
		.describe('Contacts who had opted out and stay so (an import never opts anyone back in).'),
	rejected: z.array(z.object({ index: z.number().int(), wa_id: z.string(), problem: z.string(), message: z.string() })),
});
export const contactListQuery = z.object({
	tag: stringList.optional().describe('Only contacts with all these tags.'),
	consent: consentState.optional(),
	cursor: cursorQuery,
	limit: limitQuery,
});
export const consentBody = z
	.object({
		consent: consentState,
		note: z.string().max(500).optional(),
	})
	.strict();

// ----- campaigns
export const campaignCreateBody = z
	.object({
		name: z.string().trim().min(1).max(200),
		template: z
			.object({ name: z.string().min(1).max(512), language: z.string().min(2).max(15).describe('e.g. en_US, hi') })
			.strict(),
		parameters: z
			.array(z.string().max(1024))
			.max(20)
			.default([])
			.describe('Template body parameters in order; "{{name}}" and "{{wa_id}}" are replaced per recipient.'),
		audience: z
			.object({
				tags: z.array(tag).max(20).default([]).describe('Contacts with these tags (empty: every contact).'),
				match: z.enum(['any', 'all']).default('any'),
			})
			.strict()
			.default({ tags: [], match: 'any' }),
		idempotency_key: z
			.string()
			.min(1)
			.max(200)
			.optional()
			.describe('Creating again with the same key returns the same campaign.'),
		scheduled_at: z.iso
			.datetime({ offset: true, error: 'expected a date and time with a time zone, e.g. 2026-12-01T09:30:00+05:30' })
			.optional()
			.describe('Start sending at this time; until then claims return nobody (status "scheduled").'),
	})
	.strict();
const countsSchema = z.object(
	Object.fromEntries(RECIPIENT_STATES.map((s) => [s, z.number().int()])) as Record<
		(typeof RECIPIENT_STATES)[number],
		z.ZodNumber
	>,
);
const funnelSchema = z.object({
	audience: z.number().int().describe('Contacts matching the audience at creation.'),
	recipients: z.number().int().describe('The opted-in list made at creation.'),
	skipped_by_consent: z.object({ at_creation: z.number().int(), since_creation: z.number().int() }),
	sent: z.number().int(),
	delivered: z.number().int(),
	read: z.number().int(),
	replied: z.number().int().describe('Recipients who wrote to you after the message was sent.'),
	failed: z.number().int(),
	failed_by_reason: z.array(
		z.object({ code: z.number().int().nullable(), reason: z.string(), count: z.number().int() }),
	),
	held_by_meta: z.number().int().describe('Held back by Meta for now (error 131049): not sent, not an opt-out.'),
	waiting: z.number().int(),
	in_flight: z.number().int(),
	unknown: z.number().int(),
	cancelled: z.number().int(),
});
export const campaignReportSchema = z.object({
	id: z.uuid(),
	name: z.string(),
	template: z.object({ name: z.string(), language: z.string() }),
	parameters: z.array(z.string()),
	audience: z.object({ tags: z.array(z.string()), match: z.enum(['any', 'all']) }),
	idempotency_key: z.string().nullable(),
	created_at: isoDate,
	status: z.enum(CAMPAIGN_STATUSES),
	status_reason: z.string().nullable().describe('Why the campaign failed or was cancelled, in plain words.'),
	scheduled_at: isoDate.nullable(),
	summary: z
		.string()
		.describe('What happened, in one line for staff: "Sent to N of M customers · …" or "Nothing was sent: <reason>".'),
	report_url: z.string().describe('The staff report page (HTML, live); the link itself is the permission to read it.'),
	funnel: funnelSchema,
	total: z.number().int(),
	counts: countsSchema,
	skipped: z.object({
		at_snapshot: z
			.record(z.string(), z.number().int())
			.describe('Matching contacts left out at creation: opted_out, consent_unknown.'),
		at_claim: z
			.record(z.string(), z.number().int())
			.describe(
				'Recipients skipped when claimed: opted_out_after_snapshot, contact_erased, same_person (two records found to be one person).',
			),
	}),
	failures: z
		.array(z.object({ code: z.number().int().nullable(), title: z.string().nullable(), count: z.number().int() }))
		.describe('Failed and held_by_meta recipients by Meta error code.'),
	timings: z.object({
		first_claimed_at: isoDate.nullable(),
		last_claimed_at: isoDate.nullable(),
		first_sent_at: isoDate.nullable(),
		last_sent_at: isoDate.nullable(),
		median_delivery_ms: z.number().nullable(),
	}),
});
export const claimBody = z
	.object({
		limit: z.number().int().min(1).max(1000).default(50),
		resend_unknown: z
			.boolean()
			.default(false)
			.describe('Also claim recipients whose earlier claim timed out (state unknown: maybe sent).'),
	})
	.strict();
export const claimResult = z.object({
	data: z.array(
		z.object({
			recipient_id: z.string(),
			wa_id: z.string().nullable().describe('Phone number; null for a person known only by user_id.'),
			user_id: z.string().nullable().describe('BSUID, when known.'),
			username: z.string().nullable(),
			to: z.string().nullable().describe("Send with Meta's `to` (the phone number) when set ..."),
			recipient: z
				.string()
				.nullable()
				.describe("... otherwise with Meta's `recipient` (the BSUID): exactly one of the two is set."),
			name: z.string().nullable(),
			parameters: z.array(z.string()),
			template: z.object({ name: z.string(), language: z.string() }),
			claimed_at: isoDate,
		}),
	),
	skipped: z.number().int().describe('Recipients skipped during this claim because they are no longer opted in.'),
	remaining: z.object({ pending: z.number().int(), unknown: z.number().int() }),
	campaign_status: z.enum(CAMPAIGN_STATUSES).describe('Claims return nobody unless the campaign is running.'),
	starts_at: isoDate.nullable().describe('When a scheduled campaign starts (claim again then).'),
});
/** A recipient as the claim handed it out: a phone number (`to`) or a BSUID (`recipient`). */
const recipientKey = (kind?: 'wa_id' | 'user_id') =>
	z
		.string()
		.min(1)
		.max(140)
		.transform((value, ctx): ContactKey => {
			const key = parseContactKey(value);
			if (!key.ok) {
				ctx.addIssue({ code: 'custom', message: key.message });
				return z.NEVER;
			}
			if (kind && !(kind in key)) {
				ctx.addIssue({
					code: 'custom',
					message:
						kind === 'wa_id'
							? `"${value}" is a user ID (BSUID): give it in user_ids.`
							: `"${value}" is a phone number: give it in wa_ids.`,
				});
				return z.NEVER;
			}
			return key;
		});
export const releaseBody = z
	.object({
		wa_ids: z
			.array(recipientKey('wa_id'))
			.min(1)
			.max(1000)
			.optional()
			.describe('Claimed recipients that were not sent, by phone number.'),
		user_ids: z
			.array(recipientKey('user_id'))
			.min(1)
			.max(1000)
			.optional()
			.describe('Claimed recipients that were not sent, by BSUID (people known only by it).'),
		recipients: z
			.array(recipientKey())
			.min(1)
			.max(1000)
			.optional()
			.describe(
				'Claimed recipients that were not sent, each by phone number or BSUID (as the claim handed them out). With none of the three lists, every claimed recipient is released.',
			),
	})
	.strict();
export const failBody = z
	.object({
		reason: z.string().trim().min(1).max(1000).describe('Why nothing (more) can be sent, in words for staff.'),
		release: z
			.array(recipientKey())
			.max(1000)
			.optional()
			.describe(
				'Claimed recipients that were not sent, each by phone number or BSUID: back to pending, sent on resume.',
			),
	})
	.strict();
const metaError = z.object({
	code: z.number().int(),
	title: z.string().max(500).optional(),
	message: z.string().max(2000).optional(),
	details: z.string().max(2000).optional(),
	fbtrace_id: z.string().max(200).optional(),
});
export const resultsBody = z
	.object({
		results: z
			.array(
				z
					.union([
						z
							.object({
								wa_id: z.string().optional(),
								user_id: z.string().max(140).optional(),
								wamid: z.string().min(1).max(200),
							})
							.strict(),
						z
							.object({ wa_id: z.string().optional(), user_id: z.string().max(140).optional(), error: metaError })
							.strict(),
					])
					.refine(
						(r) => r.wa_id !== undefined || r.user_id !== undefined,
						'Give wa_id or user_id (as the claim handed them out).',
					),
			)
			.min(1)
			.max(1000),
	})
	.strict();
export const resultsResult = z.object({
	data: z.array(
		z.object({
			wa_id: z.string().nullable(),
			user_id: z.string().nullable(),
			state: z.enum(RECIPIENT_STATES).nullable(),
			recorded: z.boolean(),
			reason: z.enum(['not_in_campaign', 'not_claimed', 'already_recorded']).optional(),
		}),
	),
});

// ----- subscriptions and deliveries
const EVENT_TYPES = [
	'whatsapp.message',
	'whatsapp.status',
	'whatsapp.error',
	'instagram.comment',
	'instagram.mention',
	'instagram.message',
	'library.bundle_ingested',
	'contact.opted_out',
	'contact.opted_in',
	'whatsapp.user_preference',
	'whatsapp.user_id_update',
	'meta.unhandled',
	'*',
] as const;
export const subscriptionCreateBody = z
	.object({
		url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2000),
		event_types: z.array(z.enum(EVENT_TYPES)).min(1).max(EVENT_TYPES.length).describe('"*" subscribes to every type.'),
		description: z.string().max(500).optional(),
		secret: z
			.string()
			.regex(/^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/, 'must be "whsec_" followed by base64 of 24–64 bytes')
			.optional()
			.describe('Your own signing secret; generated when absent.'),
	})
	.strict();
export const subscriptionSchema = z.object({
	id: z.uuid(),
	url: z.string(),
	event_types: z.array(z.string()),
	description: z.string().nullable(),
	created_at: isoDate,
});
export const subscriptionCreatedSchema = subscriptionSchema.extend({
	secret: z.string().describe('The whsec_ signing secret: shown only in this response.'),
	handed_over: z
		.number()
		.int()
		.describe(
			'Deliveries taken over from a subscription for the same URL deleted in the last 15 minutes (a workflow published again): what it missed is delivered here.',
		),
});
export const MAX_ROTATION_OVERLAP_SECONDS = 7 * 24 * 3600;
export const secretRotationBody = z
	.object({
		overlap_seconds: z
			.number()
			.int()
			.min(0)
			.max(MAX_ROTATION_OVERLAP_SECONDS)
			.default(24 * 3600)
			.describe('How long the replaced secret keeps signing beside the new one (default 24 h, at most 7 days).'),
	})
	.strict();
export const secretRotatedSchema = z.object({
	id: z.uuid(),
	secret: z.string().describe('The new whsec_ signing secret: shown only in this response.'),
	previous_secret_expires_at: isoDate.describe('Until then deliveries carry a signature with the replaced secret too.'),
});
export const deliverySchema = z.object({
	id: z.uuid(),
	subscription_id: z.uuid(),
	event_id: z.string(),
	webhook_id: z.string().describe('The webhook-id header: the same on every attempt and replay.'),
	event_type: z.string(),
	status: z.enum(['pending', 'succeeded', 'dead']),
	attempts: z.number().int(),
	next_attempt_at: isoDate.nullable(),
	last_attempt_at: isoDate.nullable(),
	last_status_code: z.number().int().nullable(),
	last_error: z.string().nullable(),
	succeeded_at: isoDate.nullable(),
	created_at: isoDate,
});
export const deliveryListQuery = z.object({
	subscription_id: z.uuid().optional(),
	status: z.enum(['pending', 'succeeded', 'dead']).optional(),
	event_type: z.string().max(100).optional(),
	cursor: cursorQuery,
	limit: limitQuery,
});
