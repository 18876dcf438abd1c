// Campaign controls (pause, resume, cancel, release, fail) and the staff report page. The page is
// HTML at /reports/<token>: the unguessable token in the link is its only permission, it shows no
// API paths, and it refreshes itself while the campaign runs.
import type { Request } from 'express';
import type { Pool } from 'pg';
import {
	campaignControl,
	campaignIdByReportToken,
	controlCampaign,
	ControlError,
	failCampaign,
	releaseClaims,
} from '../campaigns/controls';
import type { CampaignAction } from '../campaigns/outcome';
import { renderReportPage, renderReportNotFound } from '../campaigns/report-page';
import { campaignReport, getCampaign, type CampaignReport } from '../campaigns/repository';
import type { ContactKey } from '../consent/identity';
import { HttpError } from '../http/errors';
import { notFound, type ApiBuilder } from './route';
import { campaignReportSchema, failBody, idParams, releaseBody } from './schemas';
import { inTransaction } from './tx';
import { z } from 'zod';

/** The staff report page's address: SERVICE_PUBLIC_URL when set, else the address the caller used. */
export function reportUrl(req: Request, token: string, publicUrl: string | undefined): string {
	const base = publicUrl ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`;
	return `${base.replace(/\/+$/, '')}/reports/${token}`;
}

export async function reportWithUrl(
	pool: Pool,
	req: Request,
	report: CampaignReport,
	publicUrl: string | undefined,
): Promise<CampaignReport & { report_url: string }> {
	const control = await campaignControl(pool, report.id);
	return { ...report, report_url: reportUrl(req, control!.report_token, publicUrl) };
}

/** Whom a release names: the three lists together, or everyone claimed when none is given. */
function releaseList(body: z.infer<typeof releaseBody>): ContactKey[] | null {
	if (!body.wa_ids && !body.user_ids && !body.recipients) return null;
	return [...(body.wa_ids ?? []), ...(body.user_ids ?? []), ...(body.recipients ?? [])];
}

const ACTIONS: Record<CampaignAction, string> = {
	pause: 'Pause: claims return nobody until resumed (claims already handed out may still be sent and recorded).',
	resume:
		'Resume a paused or failed campaign: its pending (and released) recipients are claimed again, each sent once.',
	cancel: 'Cancel: recipients not yet claimed are let go (skipped, reason campaign_cancelled); nothing more is sent.',
};

export function campaignControlRoutes(api: ApiBuilder, pool: Pool, options: { publicUrl?: string }): void {
	const load = async (id: string) => {
		const campaign = await getCampaign(pool, id);
		if (!campaign) throw notFound('No such campaign.');
		return campaign;
	};
	const conflict = (error: unknown): never => {
		if (error instanceof ControlError) throw new HttpError(409, 'campaign_state', error.message);
		throw error;
	};
	for (const action of Object.keys(ACTIONS) as CampaignAction[]) {
		api.route({
			method: 'post',
			path: `/api/v1/campaigns/:id/${action}`,
			tag: 'campaigns',
			scope: 'campaigns',
			summary: ACTIONS[action],
			params: idParams,
			success: { status: 200, description: 'The campaign report after the change.', schema: campaignReportSchema },
			errors: { 404: 'No such campaign.', 409: 'The campaign is finished (completed or cancelled).' },
			handler: async ({ req, params }) => {
				const campaign = await load(params.id);
				await inTransaction(pool, (tx) => controlCampaign(tx, campaign.id, action)).catch(conflict);
				return { body: await reportWithUrl(pool, req, await campaignReport(pool, campaign), options.publicUrl) };
			},
		});
	}
	api.route({
		method: 'post',
		path: '/api/v1/campaigns/:id/release',
		tag: 'campaigns',
		scope: 'campaigns',
		summary:
			'Release claimed recipients that were not sent (by wa_ids, user_ids or recipients of either kind): back to pending, so the next claim sends them once.',
		params: idParams,
		body: releaseBody,
		success: { status: 200, description: 'How many were released.', schema: z.object({ released: z.number().int() }) },
		errors: { 404: 'No such campaign.' },
		handler: async ({ params, body }) => {
			const campaign = await load(params.id);
			const released = await inTransaction(pool, (tx) => releaseClaims(tx, campaign.id, releaseList(body)));
			return { body: { released } };
		},
	});
	api.route({
		method: 'post',
		path: '/api/v1/campaigns/:id/fail',
		tag: 'campaigns',
		scope: 'campaigns',
		summary:
			'Mark the campaign failed with a reason for staff; `release` gives back claimed recipients that were not sent.',
		params: idParams,
		body: failBody,
		success: { status: 200, description: 'The campaign report after the change.', schema: campaignReportSchema },
		errors: { 404: 'No such campaign.', 409: 'The campaign is finished (completed or cancelled).' },
		handler: async ({ req, params, body }) => {
			const campaign = await load(params.id);
			await inTransaction(pool, async (tx) => {
				if (body.release?.length) await releaseClaims(tx, campaign.id, body.release);
				await failCampaign(tx, campaign.id, body.reason);
			}).catch(conflict);
			return { body: await reportWithUrl(pool, req, await campaignReport(pool, campaign), options.publicUrl) };
		},
	});
	api.router.get('/reports/:token', async (req, res) => {
		res.setHeader('Cache-Control', 'no-store');
		res.setHeader('Referrer-Policy', 'no-referrer');
		res.setHeader('X-Robots-Tag', 'noindex');
		res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
		const id = await campaignIdByReportToken(pool, req.params.token);
		const campaign = id ? await getCampaign(pool, id) : undefined;
		if (!campaign) {
			res.status(404).type('html').send(renderReportNotFound());
			return;
		}
		res.type('html').send(renderReportPage(await campaignReport(pool, campaign), new Date()));
	});
}
