/**
 * One error shape for every node. An error leaves a node as a NodeApiError (a failed call:
 * Meta's or the service's answer) or a NodeOperationError (bad input, a local check); under
 * "Continue On Fail" the same error becomes the `error` field of an output item:
 *
 *   error: {
 *     message, description,            what went wrong and what to do
 *     http_status,                     the HTTP status of the failed call (null if none)
 *     code,                            Meta's error code (number) or the service's error code (string)
 *     subcode, details, fbtrace_id,    Meta's error_subcode, error_data.details and fbtrace_id
 *     fields,                          the service's invalid fields: [{ field, message }] ([] if none)
 *   }
 *
 * Every key is always present (null or [] when unknown), so a workflow reads `$json.error.code`
 * without guessing.
 */
import { NodeApiError, NodeOperationError, type IDataObject, type INode, type JsonObject } from 'n8n-workflow';

export interface FieldError {
	field: string;
	message: string;
}

export interface ErrorItem extends IDataObject {
	message: string;
	description: string | null;
	http_status: number | null;
	code: number | string | null;
	subcode: number | null;
	details: string | null;
	fbtrace_id: string | null;
	fields: FieldError[];
}

/**
 * Bad input found before any call: the message names the field, the description says more.
 * It leaves the node as a NodeOperationError.
 */
export class InputError extends Error {
	constructor(
		message: string,
		readonly description?: string,
	) {
		super(message);
		this.name = 'InputError';
	}
}

const STOPS_RUN = Symbol.for('n8n-nodes-tiltedprompts.stopsRun');

/**
 * Marks an error that must stop the run even under "Continue On Fail" (e.g. a dead access token:
 * nothing else in the run can succeed). The router rethrows it instead of outputting an error item.
 */
export function stopsRun<E extends Error>(error: E): E {
	(error as unknown as Record<symbol, boolean>)[STOPS_RUN] = true;
	return error;
}

export function isRunStopper(error: unknown): boolean {
	return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[STOPS_RUN] === true;
}

/** Any error → the NodeApiError / NodeOperationError n8n shows (n8n's errors pass through unchanged). */
export function toNodeError(node: INode, error: unknown, itemIndex?: number): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	const description = (error as { description?: unknown } | undefined)?.description;
	if (error instanceof Error && typeof description === 'string') {
		return new NodeOperationError(node, error.message, { itemIndex, description });
	}
	return new NodeOperationError(node, error instanceof Error ? error : String(error), { itemIndex });
}

function numberOrNull(value: unknown): number | null {
	return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function stringOrNull(value: unknown): string | null {
	return typeof value === 'string' && value !== '' ? value : null;
}

/** The fields of the answer a NodeApiError carries: Meta's error object or the service's summary. */
function responseFields(error: unknown): Pick<ErrorItem, 'code' | 'subcode' | 'details' | 'fbtrace_id' | 'fields'> {
	const response = (error as { errorResponse?: JsonObject } | undefined)?.errorResponse;
	const none = { code: null, subcode: null, details: null, fbtrace_id: null, fields: [] };
	if (!response || typeof response !== 'object') return none;
	if (typeof response.code === 'number') {
		const data = response.error_data as JsonObject | string | undefined;
		return {
			...none,
			code: response.code,
			subcode: numberOrNull(response.error_subcode),
			details: typeof data === 'string' ? data : stringOrNull(data?.details),
			fbtrace_id: stringOrNull(response.fbtrace_id),
		};
	}
	if (typeof response.code === 'string') {
		const fields = Array.isArray(response.fields) ? (response.fields as unknown as FieldError[]) : [];
		return { ...none, code: response.code, fields };
	}
	return none;
}

/** The `error` field of an output item under "Continue On Fail", for any error. */
export function errorItem(error: unknown): ErrorItem {
	const e = error as { message?: unknown; description?: unknown; httpCode?: unknown } | undefined;
	const status = e?.httpCode !== undefined && e?.httpCode !== null ? Number(e.httpCode) : NaN;
	return {
		message: typeof e?.message === 'string' ? e.message : String(error),
		description: stringOrNull(e?.description),
		http_status: Number.isFinite(status) ? status : null,
		...responseFields(error),
	};
}
