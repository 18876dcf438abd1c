// Campaign → Record Results: takes the WhatsApp node's output items (a wamid, or an error with
// Meta's code, details and fbtrace_id) and records them in the campaign ledger in one request.
import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';
import { compact, segment } from '../../shared/fields';
import { serviceRequest } from '../../shared/transport';
import type { BatchOperation } from '../../shared/types';
import { campaignIdField } from './shared';

const show = { resource: ['campaign'], operation: ['recordResults'] };
export const RESULTS_CHUNK = 500;

const description: INodeProperties[] = [
	campaignIdField(['recordResults']),
	{
		displayName: 'Recipient WhatsApp ID',
		name: 'recipientWaId',
		type: 'string',
		default: '={{ $json.wa_id ?? $json.contacts?.[0]?.input ?? $json.to }}',
		required: true,
		description:
			'The recipient each input item belongs to. After a WhatsApp node, point at the claimed recipient, e.g. {{ $(\'Claim Recipients\').item.JSON.wa_id }}.',
		displayOptions: { show },
	},
];

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asNumber(value: unknown): number | undefined {
	if (typeof value === 'number' && Number.isFinite(value)) return value;
	if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
	return undefined;
}

export type SendResult =
	| { wa_id: string; wamid: string }
	| { wa_id: string; error: { code?: number; title?: string; details?: string; fbtrace_id?: string } };

/**
 * Pure: one WhatsApp node output item → the result the ledger records. Understands the Cloud API
 * send response (`messages[0].id`), a flat `wamid`, and errors as the WhatsApp node emits them under
 * "Continue On Fail" (`error: { code, details, fbtrace_id, message }`) or as Meta sends them
 * (`error: { code, error_data: { details }, fbtrace_id }`).
 */
export function sendResultFromItem(json: Json, waId: string): SendResult | undefined {
	if (isObject(json.error) || typeof json.error === 'string') {
		const error = isObject(json.error) ? json.error : { message: json.error };
		const errorData = isObject(error.error_data) ? error.error_data : undefined;
		const details = error.details ?? errorData?.details ?? error.error_user_msg ?? error.description ?? error.message;
		return {
			wa_id: waId,
			error: compact({
				code: asNumber(error.code),
				title: (error.title ?? error.message) as string | undefined,
				details: details === undefined || details === null ? undefined : String(details),
				fbtrace_id: (error.fbtrace_id ?? error.fbtraceId) as string | undefined,
			}) as { code?: number },
		};
	}
	const messages = Array.isArray(json.messages) ? json.messages : [];
	const wamid =
		(typeof json.wamid === 'string' && json.wamid) ||
		(isObject(messages[0]) && typeof messages[0].id === 'string' && messages[0].id) ||
		(typeof json.message_id === 'string' && json.message_id) ||
		undefined;
	return wamid ? { wa_id: waId, wamid } : undefined;
}

async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const campaignId = this.getNodeParameter('campaignId', 0) as string;
	const results: SendResult[] = [];
	const paired: number[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const waId = String(this.getNodeParameter('recipientWaId', itemIndex) ?? '').trim();
		if (!waId) {
			throw new NodeOperationError(
				this.getNode(),
				`Item ${itemIndex} has no recipient WhatsApp ID — set "Recipient WhatsApp ID" to the claimed recipient's wa_id`,
				{ itemIndex },
			);
		}
		const result = sendResultFromItem(items[itemIndex].json, waId);
		if (!result) {
			throw new NodeOperationError(
				this.getNode(),
				`Item ${itemIndex} (${waId}) holds neither a message ID (wamid) nor an error — connect this node to the WhatsApp node's output, with "Continue On Fail" on`,
				{ itemIndex },
			);
		}
		results.push(result);
		paired.push(itemIndex);
	}
	const output: INodeExecutionData[] = [];
	for (let start = 0; start < results.length; start += RESULTS_CHUNK) {
		const response = await serviceRequest.call(this, {
			method: 'POST',
			path: `/campaigns/${segment(campaignId)}/results`,
			body: { results: results.slice(start, start + RESULTS_CHUNK) as unknown as IDataObject[] },
		});
		output.push({ json: response, pairedItem: paired.slice(start, start + RESULTS_CHUNK).map((item) => ({ item })) });
	}
	return output;
}

export const recordResults: BatchOperation = { kind: 'batch', description, execute };
