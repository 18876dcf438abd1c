// The staff report page: one campaign's funnel in plain words, as HTML. Pure (report in, page out);
// every value is escaped. It refreshes itself while the campaign may still change.
import type { CampaignReport } from './repository';

const escape = (value: unknown) =>
	String(value).replace(
		/[&<>"']/g,
		(c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
	);

const STATUS_WORDS: Record<CampaignReport['status'], string> = {
	scheduled: 'Scheduled',
	running: 'Sending',
	paused: 'Paused',
	completed: 'Finished',
	failed: 'Failed',
	cancelled: 'Cancelled',
};

const page = (title: string, body: string, refresh: boolean) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
${refresh ? '<meta http-equiv="refresh" content="15">' : ''}<meta name="robots" content="noindex">
<title>${escape(title)}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;color:#1d2330}
h1{font-size:1.4rem;margin-bottom:.2rem} .status{display:inline-block;padding:.1rem .6rem;border-radius:1rem;background:#eef;font-weight:600}
.failed{background:#fde2e2}.completed{background:#e2f6e7}.paused,.scheduled{background:#fff4d6}.cancelled{background:#eee}
.summary{font-size:1.1rem;margin:1rem 0} table{border-collapse:collapse;width:100%} td{padding:.45rem .3rem;border-bottom:1px solid #e4e6eb}
td.n{text-align:right;font-variant-numeric:tabular-nums;font-weight:600} .muted{color:#667085;font-size:.9rem}
</style></head><body>${body}</body></html>`;

export function renderReportPage(report: CampaignReport, now: Date): string {
	const f = report.funnel;
	const rows: Array<[string, number, string?]> = [
		['Customers matching the audience', f.audience],
		['Not asked: had not opted in when the list was made', f.skipped_by_consent.at_creation],
		['On the list (opted in)', f.recipients],
		['Skipped: opted out since the list was made', f.skipped_by_consent.since_creation],
		['Sent', f.sent],
		['Delivered', f.delivered],
		['Read', f.read],
		['Replied', f.replied],
		['Failed', f.failed],
	];
	if (f.held_by_meta > 0) rows.push(['Held back by Meta for now (131049; not an opt-out, not sent)', f.held_by_meta]);
	if (f.waiting + f.in_flight > 0) rows.push(['Still to send', f.waiting + f.in_flight]);
	if (f.unknown > 0) rows.push(['No result (maybe sent; never resent unless you ask)', f.unknown]);
	if (f.cancelled > 0) rows.push(['Not sent: campaign cancelled', f.cancelled]);
	const failures = f.failed_by_reason.length
		? `<h2>Why messages failed</h2><table>${f.failed_by_reason.map((r) => `<tr><td>${escape(r.reason)}</td><td class="n">${r.count}</td></tr>`).join('')}</table>`
		: '';
	const live = report.status === 'running' || report.status === 'scheduled' || report.status === 'paused';
	const body = `<h1>${escape(report.name)}</h1>
<p><span class="status ${report.status}">${STATUS_WORDS[report.status]}</span>
<span class="muted">template ${escape(report.template.name)} (${escape(report.template.language)})</span></p>
<p class="summary">${escape(report.summary)}</p>
${report.status_reason && !report.summary.includes(report.status_reason) ? `<p>Reason: ${escape(report.status_reason)}</p>` : ''}
<table>${rows.map(([label, n]) => `<tr><td>${escape(label)}</td><td class="n">${n}</td></tr>`).join('')}</table>
${failures}
<p class="muted">Created ${escape(report.created_at.toISOString().slice(0, 16).replace('T', ' '))} UTC · updated ${escape(now.toISOString().slice(0, 19).replace('T', ' '))} UTC${live ? ' · refreshes every 15 s' : ''}.
Delivered, read and replied fill in as WhatsApp reports them.</p>`;
	return page(`${report.name} – campaign report`, body, live);
}

export function renderReportNotFound(): string {
	return page(
		'Report not found',
		'<h1>Report not found</h1><p>This report link is not valid. Ask for the link again from the campaign form or your workflow.</p>',
		false,
	);
}
