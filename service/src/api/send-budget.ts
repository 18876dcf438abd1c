// /api/v1/send-budget: the shared send budget of a WhatsApp phone number (issue 16). Every bulk send
// of a number (any n8n execution or worker) leases its send permits here and reserves recipients'
// pair-rate slots, so the number's combined rate at Meta stays under its limits.
import type { Pool } from 'pg';
import { z } from 'zod';
import type { ApiBuilder } from './route';
import { inTransaction } from './tx';
import { leasePermits, reservePairSlots } from '../send-budget/repository';

const phoneParams = z.object({
	phone_number_id: z
		.string()
		.regex(/^[0-9]{1,30}$/, 'a WhatsApp phone number ID: digits only')
		.describe('The WhatsApp phone number ID whose budget this is.'),
});

export const leaseBody = z
	.object({
		want: z.number().int().min(1).max(1000).describe('Permits wanted (the service grants at most 50 per lease).'),
		rate_per_second: z
			.number()
			.min(0.01)
			.max(1000)
			.describe(
				"The number's throughput (Meta: 80 by default, up to 1,000); every sender of a number should give the same value.",
			),
		campaign: z
			.string()
			.trim()
			.min(1)
			.max(200)
			.default('default')
			.describe('Who asks (e.g. the n8n execution): concurrent campaigns of a number share its rate fairly.'),
	})
	.strict();

export const leaseResult = z.object({
	lease_id: z.uuid().nullable().describe('null when nothing was granted.'),
	phone_number_id: z.string(),
	campaign: z.string(),
	granted: z.number().int().describe('Permits granted (0: ask again after retry_after_ms).'),
	rate_per_second: z.number(),
	not_before: z.iso.datetime().describe('Time of the first permit; the k-th is interval_ms later each.'),
	wait_ms: z.number().describe('The first permit, in ms from server_time (use it with your own clock).'),
	interval_ms: z.number().describe('Spacing of the permits.'),
	expires_at: z.iso.datetime().describe('Permits not used by then are void.'),
	expires_in_ms: z.number(),
	retry_after_ms: z.number().describe('With granted 0: when asking again may succeed.'),
	held_ahead: z.number().int().describe('Permits not yet due this campaign now holds.'),
	share_ahead: z
		.number()
		.int()
		.describe(
			'The most permits not yet due a campaign may hold (its fair share of the next second): keep asking until you hold it, or you get less than your share.',
		),
	server_time: z.iso.datetime(),
});

export const pairBody = z
	.object({
		recipients: z
			.array(z.string().trim().min(1).max(200))
			.min(1)
			.max(500)
			.describe('wa_ids or BSUIDs, in send order (repeat one for two messages).'),
		spacing_seconds: z
			.number()
			.min(0)
			.max(3600)
			.default(6)
			.describe("Meta's pair rate: about 1 message per 6 s to one person."),
	})
	.strict();

export const pairResult = z.object({
	data: z.array(
		z.object({
			recipient: z.string(),
			not_before: z.iso.datetime(),
			wait_ms: z.number().describe('From server_time.'),
		}),
	),
	server_time: z.iso.datetime(),
});

const iso = (us: number) => new Date(Math.floor(us / 1000)).toISOString();

export function sendBudgetRoutes(api: ApiBuilder, pool: Pool): void {
	api.route({
		method: 'post',
		path: '/api/v1/send-budget/:phone_number_id/lease',
		tag: 'send-budget',
		scope: 'send-budget',
		summary: "Lease a small batch of send permits from the phone number's shared budget.",
		description:
			'A token bucket per phone number, shared by every caller and every service replica: permits are spaced 1/rate apart, so no 1 s window holds more than rate_per_second of them. They are granted at most 1 s ahead, and each campaign holds at most its fair share of that second, so concurrent campaigns split the rate and none starves. Permits not used by expires_at are void.',
		params: phoneParams,
		body: leaseBody,
		success: {
			status: 200,
			description: 'The lease (granted may be 0: ask again after retry_after_ms).',
			schema: leaseResult,
		},
		handler: async ({ params, body }) => {
			const lease = await inTransaction(pool, (tx) =>
				leasePermits(tx, {
					phoneNumberId: params.phone_number_id,
					campaign: body.campaign,
					want: body.want,
					ratePerSecond: body.rate_per_second,
				}),
			);
			return {
				body: {
					lease_id: lease.id,
					phone_number_id: params.phone_number_id,
					campaign: body.campaign,
					granted: lease.granted,
					rate_per_second: body.rate_per_second,
					not_before: iso(lease.firstUs),
					wait_ms: (lease.firstUs - lease.nowUs) / 1000,
					interval_ms: lease.intervalUs / 1000,
					expires_at: iso(lease.expiresUs),
					expires_in_ms: Math.max(0, lease.expiresUs - lease.nowUs) / 1000,
					retry_after_ms: lease.retryAfterUs / 1000,
					held_ahead: lease.heldAhead,
					share_ahead: lease.shareAhead,
					server_time: iso(lease.nowUs),
				},
			};
		},
	});
	api.route({
		method: 'post',
		path: '/api/v1/send-budget/:phone_number_id/pairs',
		tag: 'send-budget',
		scope: 'send-budget',
		summary: "Reserve recipients' next send slots under the pair rate (1 message per spacing_seconds per person).",
		description:
			'Each recipient gets max(now, its previous slot + spacing), shared by every caller of this phone number; a recipient given twice gets two slots.',
		params: phoneParams,
		body: pairBody,
		success: { status: 200, description: 'One slot per recipient given, in order.', schema: pairResult },
		handler: async ({ params, body }) => {
			const spacingUs = Math.round(body.spacing_seconds * 1_000_000);
			const { nowUs, slots } = await inTransaction(pool, (tx) =>
				reservePairSlots(tx, params.phone_number_id, body.recipients, spacingUs),
			);
			return {
				body: {
					data: slots.map((s) => ({
						recipient: s.recipient,
						not_before: iso(s.atUs),
						wait_ms: (s.atUs - nowUs) / 1000,
					})),
					server_time: iso(nowUs),
				},
			};
		},
	});
}
