// /api/v1/campaigns: audience snapshot at creation, atomic claims, results, report.
import type { Pool } from 'pg';
import {
	campaignReport,
	claimRecipients,
	createCampaign,
	expireStaleClaims,
	getCampaign,
	recordResults,
} from '../campaigns/repository';
import { BSUID_PATTERN } from '../consent/identity';
import { normalizeWaId } from '../consent/phone';
import { claimGate, scheduleCampaign } from '../campaigns/controls';
import { campaignControlRoutes, reportWithUrl } from './campaign-controls';
import { notFound, type ApiBuilder } from './route';
import {
	campaignCreateBody,
	campaignReportSchema,
	claimBody,
	claimResult,
	idParams,
	resultsBody,
	resultsResult,
} from './schemas';
import { inTransaction } from './tx';

export function campaignRoutes(
	api: ApiBuilder,
	pool: Pool,
	options: { claimTimeoutMs: number; publicUrl?: string },
): void {
	api.schema('CampaignReport', campaignReportSchema);
	campaignControlRoutes(api, pool, options);
	api.route({
		method: 'post',
		path: '/api/v1/campaigns',
		tag: 'campaigns',
		scope: 'campaigns',
		summary: 'Create a campaign; its audience (opted-in contacts matching the tags) is snapshotted now.',
		body: campaignCreateBody,
		success: {
			status: 201,
			description: 'Created.',
			schema: campaignReportSchema,
			also: { status: 200, description: 'The existing campaign of a repeated idempotency_key.' },
		},
		handler: async ({ req, principal, body }) => {
			const { campaign, created } = await inTransaction(pool, async (tx) => {
				const made = await createCampaign(tx, body, principal.userId);
				if (made.created && body.scheduled_at)
					await scheduleCampaign(tx, made.campaign.id, new Date(body.scheduled_at));
				return made;
			});
			return {
				status: created ? 201 : 200,
				body: await reportWithUrl(pool, req, await campaignReport(pool, campaign), options.publicUrl),
			};
		},
	});
	api.route({
		method: 'get',
		path: '/api/v1/campaigns/:id',
		tag: 'campaigns',
		scope: 'campaigns',
		summary: 'Campaign report: counts by state, skips by reason, failures by Meta code, timings.',
		params: idParams,
		success: { status: 200, description: 'The report.', schema: campaignReportSchema },
		errors: { 404: 'No such campaign.' },
		handler: async ({ req, params }) => {
			const campaign = await getCampaign(pool, params.id);
			if (!campaign) throw notFound('No such campaign.');
			await expireStaleClaims(pool, campaign.id, options.claimTimeoutMs);
			return { body: await reportWithUrl(pool, req, await campaignReport(pool, campaign), options.publicUrl) };
		},
	});
	sendingRoutes(api, pool, options);
}

/** Claims and results: the two routes a sending workflow calls in its loop. */
function sendingRoutes(api: ApiBuilder, pool: Pool, options: { claimTimeoutMs: number }): void {
	api.route({
		method: 'post',
		path: '/api/v1/campaigns/:id/claim',
		tag: 'campaigns',
		scope: 'campaigns',
		summary: 'Claim up to `limit` pending recipients (each is handed out once, even to concurrent workers).',
		description:
			'Recipients who opted out since the snapshot are skipped, not returned. Claims older than CAMPAIGN_CLAIM_TIMEOUT become "unknown" and are returned again only with resend_unknown: true. A campaign that is not running (scheduled and not yet due, paused, finished) hands out nobody: see campaign_status and starts_at.',
		params: idParams,
		body: claimBody,
		success: { status: 200, description: 'The claimed recipients (empty when nothing is left).', schema: claimResult },
		errors: { 404: 'No such campaign.' },
		handler: async ({ params, body }) => {
			const campaign = await getCampaign(pool, params.id);
			if (!campaign) throw notFound('No such campaign.');
			const { claimed, skipped, gate } = await inTransaction(pool, async (tx) => {
				const gate = await claimGate(tx, campaign.id, body.resend_unknown);
				if (gate.status !== 'running') return { claimed: [], skipped: 0, gate };
				return {
					...(await claimRecipients(tx, campaign, {
						limit: body.limit,
						resendUnknown: body.resend_unknown,
						claimTimeoutMs: options.claimTimeoutMs,
					})),
					gate,
				};
			});
			const remaining = await pool.query<{ pending: string; unknown: string }>(
				`SELECT count(*) FILTER (WHERE state = 'pending') AS pending, count(*) FILTER (WHERE state = 'unknown') AS unknown
				 FROM campaign_recipients WHERE campaign_id = $1`,
				[campaign.id],
			);
			return {
				body: {
					data: claimed,
					skipped,
					remaining: { pending: Number(remaining.rows[0].pending), unknown: Number(remaining.rows[0].unknown) },
					campaign_status: gate.status,
					starts_at: gate.status === 'scheduled' ? gate.scheduled_at : null,
				},
			};
		},
	});
	api.route({
		method: 'post',
		path: '/api/v1/campaigns/:id/results',
		tag: 'campaigns',
		scope: 'campaigns',
		summary:
			'Record send results by wa_id or user_id: a wamid → sent, a Meta error (code, details, fbtrace_id) → failed (131049 → held_by_meta).',
		params: idParams,
		body: resultsBody,
		success: { status: 200, description: 'The outcome per recipient.', schema: resultsResult },
		errors: { 404: 'No such campaign.' },
		handler: async ({ params, body }) => {
			const campaign = await getCampaign(pool, params.id);
			if (!campaign) throw notFound('No such campaign.');
			const outcomes = await inTransaction(pool, (tx) =>
				recordResults(tx, campaign.id, body.results.map(resultIdentity)),
			);
			return { body: { data: outcomes } };
		},
	});
}

/** A BSUID given as wa_id (a workflow passing along whichever identifier it sent to) is a user_id; a phone number is normalised. */
function resultIdentity<R extends { wa_id?: string; user_id?: string }>(r: R): R {
	if (r.wa_id === undefined) return r;
	if (BSUID_PATTERN.test(r.wa_id.trim())) return { ...r, wa_id: undefined, user_id: r.user_id ?? r.wa_id.trim() };
	const n = normalizeWaId(r.wa_id);
	return { ...r, wa_id: n.ok ? n.wa_id : r.wa_id };
}
