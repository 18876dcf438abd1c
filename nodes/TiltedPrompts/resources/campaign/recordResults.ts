// Campaign → Record Results: takes the WhatsApp node's output items (a wamid, or an error with
// Meta's code, details and fbtrace_id) and records them in the campaign ledger in one request.
import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';
import { compact, segment } from '../../shared/fields';
import { serviceRequest } from '../../shared/transport';
import { forOperation } from '../../../shared/operation';
import { campaignIdField } from './shared';

export const RESULTS_CHUNK = 500;

export const kind = 'batch';

export const description = forOperation('campaign', 'recordResults', [
	campaignIdField(),
	{
		displayName: 'Recipient WhatsApp ID',
		name: 'recipientWaId',
		type: 'string',
		default: '={{ $json.wa_id ?? $json.user_id ?? $json.contacts?.[0]?.input ?? $json.to ?? $json.recipient }}',
		required: true,
		description:
			"The recipient each input item belongs to: the phone number or, for a customer known only by it, the WhatsApp user ID (BSUID). After a WhatsApp node, point at the claimed recipient, e.g. {{ $('Claim Recipients').item.JSON.wa_id ?? $('Claim Recipients').item.JSON.user_id }}.",
	},
]);

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asNumber(value: unknown): number | undefined {
	if (typeof value === 'number' && Number.isFinite(value)) return value;
	if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
	return undefined;
}

export interface MetaErrorResult {
	code: number;
	title?: string;
	message?: string;
	details?: string;
	fbtrace_id?: string;
}

export type SendResult = { wa_id: string; wamid: string } | { wa_id: string; error: MetaErrorResult };

/**
 * Why an item cannot be recorded. `not_sent` (the WhatsApp node says `sent: false`: it refused the
 * message before sending, or never attempted it): the recipient is released and the campaign stopped
 * with the reason, so a resume after the fix sends to them exactly once. `token_refused` (`sent: false`
 * with Meta's 190 or 0: the access token is dead): the recipients not sent are released, the campaign
 * is left as it is, and the node stops the workflow saying what to do, so a run after the token's
 * renewal sends to them exactly once. `error_without_meta_code`
 * (e.g. a network failure) and `no_result` (the WhatsApp node stopped the run and n8n passed its input
 * through, so some of these may have gone out): maybe sent, so the recipient stays claimed and becomes
 * unknown, never resent unless asked.
 */
export type Unrecordable = {
	wa_id: string;
	unrecordable: 'not_sent' | 'token_refused' | 'no_result' | 'error_without_meta_code';
	message: string;
};

/** Meta's codes for a dead access token: a refusal about the sender, never about the recipient. */
const TOKEN_CODES = new Set([0, 190]);

function text(value: unknown, max: number): string | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const s = typeof value === 'string' ? value : JSON.stringify(value);
	return s.length > max ? s.slice(0, max - 1) + '…' : s;
}

/**
 * Pure: one WhatsApp node output item → the result the ledger records. Understands the Cloud API
 * send response (`messages[0].id`), a flat `wamid`, and errors as the WhatsApp node emits them under
 * "Continue On Fail" (`error: { code, details, fbtrace_id, message }`) or as Meta sends them
 * (`error: { code, error_data: { details }, fbtrace_id }`). An error without Meta's code (a network
 * failure, a timeout) proves nothing about the send, so it is not recorded: the recipient stays
 * claimed and becomes `unknown`, never resent unless asked.
 */
export function sendResultFromItem(json: Json, waId: string): SendResult | Unrecordable {
	if (isObject(json.error) || typeof json.error === 'string') {
		const error = isObject(json.error) ? json.error : { message: json.error };
		const code = asNumber(error.code);
		if (json.sent === false && (code === undefined || TOKEN_CODES.has(code))) {
			const why = [text(error.message, 500), text(error.description, 500)].filter(Boolean).join(' ');
			return {
				wa_id: waId,
				unrecordable: code === undefined ? 'not_sent' : 'token_refused',
				message: why || 'The WhatsApp node did not send this message',
			};
		}
		if (code === undefined) {
			return {
				wa_id: waId,
				unrecordable: 'error_without_meta_code',
				message: `The send failed without a Meta error code (${text(error.message, 200) ?? 'no message'}): it may or may not have been delivered, so it is left for the campaign report as unknown`,
			};
		}
		const errorData = isObject(error.error_data) ? error.error_data : undefined;
		const details = error.details ?? errorData?.details ?? error.error_user_msg;
		return {
			wa_id: waId,
			error: compact({
				code,
				title: text(error.title ?? error.error_user_title, 500),
				message: text(error.message, 2000),
				details: text(details, 2000),
				fbtrace_id: text(error.fbtrace_id, 200),
			}) as unknown as MetaErrorResult,
		};
	}
	const messages = Array.isArray(json.messages) ? json.messages : [];
	const wamid =
		(typeof json.wamid === 'string' && json.wamid) ||
		(isObject(messages[0]) && typeof messages[0].id === 'string' && messages[0].id) ||
		(typeof json.message_id === 'string' && json.message_id) ||
		undefined;
	if (wamid) return { wa_id: waId, wamid };
	return {
		wa_id: waId,
		unrecordable: 'no_result',
		message:
			'The item holds neither a message ID (wamid) nor an error — connect this node to the WhatsApp node’s output, with “Continue On Fail” on',
	};
}

/**
 * Messages the WhatsApp node did not send: their recipients go back to the campaign (released, each
 * by the identifier its item has: phone number or BSUID; the service takes either) and
 * the campaign stops as failed with the reason in plain words, so the next claim hands out nobody
 * (no loop re-sending a template that cannot be sent) and the report says why. Resume after the fix.
 */
async function stopCampaign(
	this: IExecuteFunctions,
	campaignId: string,
	notSent: Unrecordable[],
	total: number,
): Promise<void> {
	const reason =
		notSent.length === total
			? notSent[0].message
			: `${notSent.length} of ${total} messages could not be sent: ${notSent[0].message}`;
	await serviceRequest.call(this, {
		method: 'POST',
		path: `/campaigns/${segment(campaignId)}/fail`,
		body: { reason: reason.slice(0, 1000), release: notSent.map((r) => r.wa_id) },
	});
}

/**
 * The access token is dead: the recipients not sent go back to the campaign (which stays as it is, so
 * a run after the renewal sends to them exactly once), then the workflow stops, saying what to do:
 * claiming further batches would only be refused again.
 */
async function releaseAndStop(
	this: IExecuteFunctions,
	campaignId: string,
	notSent: Unrecordable[],
	counts: { sent: number; total: number },
	refused: Unrecordable,
): Promise<never> {
	for (let start = 0; start < notSent.length; start += RESULTS_CHUNK) {
		await serviceRequest.call(this, {
			method: 'POST',
			path: `/campaigns/${segment(campaignId)}/release`,
			body: { recipients: notSent.slice(start, start + RESULTS_CHUNK).map((r) => r.wa_id) },
		});
	}
	throw new NodeOperationError(
		this.getNode(),
		`WhatsApp refused the access token: ${counts.sent} of ${counts.total} messages were sent (recorded); the ${notSent.length} not sent go back to the campaign`,
		{
			description: `${refused.message}\nRenew the access token in the WhatsApp credential, then run the workflow again (or resume the campaign): the recipients not sent yet get the message, nobody twice.`,
		},
	);
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const campaignId = this.getNodeParameter('campaignId', 0) as string;
	const perItem: Array<SendResult | Unrecordable> = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const waId = String(this.getNodeParameter('recipientWaId', itemIndex) ?? '').trim();
		if (!waId) {
			throw new NodeOperationError(
				this.getNode(),
				`Item ${itemIndex} has no recipient WhatsApp ID — set "Recipient WhatsApp ID" to the claimed recipient's wa_id`,
				{ itemIndex },
			);
		}
		perItem.push(sendResultFromItem(items[itemIndex].json, waId));
	}
	const recordable = perItem
		.map((result, index) => ({ result, index }))
		.filter(({ result }) => !('unrecordable' in result));
	const answers = new Map<number, IDataObject>();
	for (let start = 0; start < recordable.length; start += RESULTS_CHUNK) {
		const chunk = recordable.slice(start, start + RESULTS_CHUNK);
		const response = await serviceRequest.call(this, {
			method: 'POST',
			path: `/campaigns/${segment(campaignId)}/results`,
			body: { results: chunk.map(({ result }) => result) as unknown as IDataObject[] },
		});
		const data = Array.isArray(response.data) ? (response.data as IDataObject[]) : [];
		chunk.forEach(({ index }, offset) => answers.set(index, data[offset] ?? {}));
	}
	const notSent = perItem.flatMap((result) =>
		'unrecordable' in result && (result.unrecordable === 'not_sent' || result.unrecordable === 'token_refused')
			? [result]
			: [],
	);
	const refused = notSent.find((result) => result.unrecordable === 'token_refused');
	const sent = perItem.filter((result) => 'wamid' in result).length;
	if (refused) await releaseAndStop.call(this, campaignId, notSent, { sent, total: items.length }, refused);
	if (notSent.length > 0) await stopCampaign.call(this, campaignId, notSent, items.length);
	// Items with no result at all mean the WhatsApp node stopped the run (e.g. on error 190 without
	// Continue On Fail) and n8n passed its input through: some may have gone out. Record what was sent, then stop the workflow:
	// claiming further batches would only strand more recipients.
	const unknown = perItem.flatMap((result, index) =>
		'unrecordable' in result && result.unrecordable === 'no_result' ? [index] : [],
	);
	if (unknown.length > 0) {
		throw new NodeOperationError(
			this.getNode(),
			`${unknown.length} of ${items.length} items hold neither a message ID (wamid) nor an error: the WhatsApp node did not send them — check its error (e.g. 190, an expired access token), fix it and run again; recipients not yet claimed will be sent then`,
			{
				itemIndex: unknown[0],
				description:
					'Results that were present have been recorded. The recipients of the items without a result stay claimed (some may have been sent): they show as unknown in the campaign report and are never resent unless you claim with Resend Unknown.',
			},
		);
	}
	return perItem.map((result, index) => {
		const sent = 'wamid' in result ? { wamid: result.wamid } : 'error' in result ? { error: result.error } : {};
		const answer: IDataObject =
			'unrecordable' in result
				? { wa_id: result.wa_id, recorded: false, reason: result.unrecordable, message: result.message }
				: { wa_id: result.wa_id, ...sent, ...answers.get(index) };
		return { json: { campaign_id: campaignId, ...answer }, pairedItem: { item: index } };
	});
}
