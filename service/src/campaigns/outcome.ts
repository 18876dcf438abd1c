// What a campaign did, in numbers and in plain words: its status machine (schedule, pause, resume,
// cancel, settle), the staff funnel and the one-line summary the staff form and report page show.
// Pure module: the repository (controls.ts) feeds it rows.

export const CAMPAIGN_STATUSES = ['scheduled', 'running', 'paused', 'completed', 'failed', 'cancelled'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];
export type CampaignAction = 'pause' | 'resume' | 'cancel';

/**
 * The status an action moves a campaign to, or the reason it cannot (in words for staff).
 * Resume also restarts a failed campaign: its unsent recipients were released, so they are sent then.
 */
export function controlTransition(
	status: CampaignStatus,
	action: CampaignAction,
	scheduledInFuture: boolean,
): { ok: true; status: CampaignStatus } | { ok: false; message: string } {
	const finished = status === 'completed' || status === 'cancelled';
	if (finished)
		return {
			ok: false,
			message: `The campaign is ${status}; it cannot be ${action === 'pause' ? 'paused' : action === 'resume' ? 'resumed' : 'cancelled'}.`,
		};
	switch (action) {
		case 'pause':
			if (status === 'failed')
				return { ok: false, message: 'The campaign has failed; fix the cause and resume it instead.' };
			return { ok: true, status: 'paused' };
		case 'resume':
			if (status === 'running' || status === 'scheduled') return { ok: true, status };
			return { ok: true, status: scheduledInFuture ? 'scheduled' : 'running' };
		case 'cancel':
			return { ok: true, status: 'cancelled' };
	}
}

export interface Funnel {
	/** Contacts matching the audience when the campaign was created (opted in or not). */
	audience: number;
	/** The opted-in list made at creation: everyone the campaign may send to. */
	recipients: number;
	skipped_by_consent: { at_creation: number; since_creation: number };
	sent: number;
	delivered: number;
	read: number;
	replied: number;
	failed: number;
	failed_by_reason: Array<{ code: number | null; reason: string; count: number }>;
	/** Held back by Meta for now (error 131049): not sent, not an opt-out, not to be retried now. */
	held_by_meta: number;
	/** Not sent yet: waiting for a claim, claimed right now, or with no result (maybe sent). */
	waiting: number;
	in_flight: number;
	unknown: number;
	/** Not sent because the campaign was cancelled. */
	cancelled: number;
}

// The Meta errors staff meet most, in their words. Anything else: "Meta error <code>: <title>".
const PLAIN_REASONS: Record<number, string> = {
	190: 'the WhatsApp access token has expired or is invalid',
	131026: 'not on WhatsApp',
	131047: 'more than 24 hours since the customer last wrote',
	131049: 'held back by Meta for now (not an opt-out)',
	131050: 'stopped marketing messages',
	131056: 'too many messages to this customer in a short time',
	130429: 'sending too fast for this number',
	132000: 'the template needs a different number of values',
	132001: 'the template does not exist in this language',
	132012: 'a template value has the wrong format, e.g. the header needs an image',
	132015: 'the template is paused',
	132016: 'the template is disabled',
	133010: 'the sender number is not registered',
};

export function plainReason(code: number | null, title: string | null): string {
	if (code !== null && PLAIN_REASONS[code]) return `${PLAIN_REASONS[code]} (Meta error ${code})`;
	if (code !== null) return `Meta error ${code}${title ? `: ${title}` : ''}`;
	return title ?? 'no reason given';
}

/**
 * The status a running campaign settles to once nobody is left to send to: completed when at least
 * one message went out, failed (with the reason) when none did. Undefined while work remains.
 */
export function settledStatus(funnel: Funnel): { status: 'completed' | 'failed'; reason: string | null } | undefined {
	if (funnel.waiting > 0 || funnel.in_flight > 0) return undefined;
	if (funnel.sent > 0) return { status: 'completed', reason: null };
	return { status: 'failed', reason: nothingSentReason(funnel) };
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** "2 held back by Meta for now (131049)": never counted as sent, never as an opt-out. */
export const heldByMeta = (n: number): string => `${n} held back by Meta for now (131049)`;

/** Why a campaign sent nothing, in one sentence. */
export function nothingSentReason(funnel: Funnel): string {
	if (funnel.recipients === 0) {
		return funnel.audience === 0
			? 'no contact matches the audience'
			: `none of the ${funnel.audience} matching contacts has opted in`;
	}
	if (funnel.failed > 0) {
		const single = funnel.failed_by_reason.length === 1;
		const reasons = funnel.failed_by_reason.map((f) => (single ? f.reason : `${f.count} ${f.reason}`)).join(', ');
		const held = funnel.held_by_meta > 0 ? `; ${heldByMeta(funnel.held_by_meta)}` : '';
		return `WhatsApp refused ${funnel.failed === funnel.recipients ? 'every message' : plural(funnel.failed, 'message', 'messages')}: ${reasons}${held}`;
	}
	if (funnel.held_by_meta > 0)
		return `${heldByMeta(funnel.held_by_meta)} (Meta limits how many marketing messages a customer gets; not an opt-out)`;
	if (funnel.unknown > 0)
		return `${funnel.unknown} message${funnel.unknown === 1 ? '' : 's'} got no result from WhatsApp (maybe sent; check the report)`;
	if (funnel.skipped_by_consent.since_creation > 0) return 'every customer on the list opted out since it was made';
	return 'no message was sent';
}

/**
 * The staff-facing line: "Sent to 182 of 200 customers · 12 skipped (opted out since the list was
 * made) · 6 failed (3 not on WhatsApp (Meta error 131026), …)", or "Nothing was sent: <reason>".
 */
export function summaryLine(
	status: CampaignStatus,
	reason: string | null,
	funnel: Funnel,
	scheduledAt: Date | null,
): string {
	if (status === 'scheduled')
		return `Scheduled for ${scheduledAt ? scheduledAt.toISOString().replace('T', ' ').slice(0, 16) + ' UTC' : 'later'} · ${plural(funnel.recipients, 'customer', 'customers')} on the list`;
	if (funnel.sent === 0 && (status === 'failed' || status === 'cancelled'))
		return `Nothing was sent: ${reason ?? nothingSentReason(funnel)}`;
	const parts = [`Sent to ${funnel.sent} of ${plural(funnel.recipients, 'customer', 'customers')}`];
	if (funnel.skipped_by_consent.since_creation > 0)
		parts.push(`${funnel.skipped_by_consent.since_creation} skipped (opted out since the list was made)`);
	if (funnel.failed > 0)
		parts.push(`${funnel.failed} failed (${funnel.failed_by_reason.map((f) => `${f.count} ${f.reason}`).join(', ')})`);
	if (funnel.held_by_meta > 0) parts.push(heldByMeta(funnel.held_by_meta));
	if (funnel.unknown > 0) parts.push(`${funnel.unknown} with no result (maybe sent)`);
	if (funnel.waiting + funnel.in_flight > 0) parts.push(`${funnel.waiting + funnel.in_flight} still to send`);
	if (funnel.cancelled > 0) parts.push(`${funnel.cancelled} not sent (cancelled)`);
	if (status === 'paused') parts.push('paused');
	if (status === 'failed' && reason) parts.push(`stopped: ${reason}`);
	return parts.join(' · ');
}
