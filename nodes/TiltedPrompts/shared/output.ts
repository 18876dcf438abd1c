import { NodeApiError, NodeOperationError, type IDataObject, type INode } from 'n8n-workflow';

/** The `error` of an output item under "Continue On Fail": message, fix, code and invalid fields. */
export function errorOutput(error: unknown): IDataObject {
	const e = error as {
		message?: string;
		description?: string | null;
		httpCode?: string | null;
		errorResponse?: { code?: string; fields?: IDataObject[] };
	};
	const result: IDataObject = { message: e.message ?? String(error) };
	if (e.description) result.description = e.description;
	if (e.httpCode) result.http_status = Number(e.httpCode);
	if (e.errorResponse?.code) result.code = e.errorResponse.code;
	if (e.errorResponse?.fields?.length) result.fields = e.errorResponse.fields;
	return { error: result };
}

/** Errors leave the node as NodeApiError / NodeOperationError; anything else is wrapped. */
export function toNodeError(node: INode, error: unknown, itemIndex?: number): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	return new NodeOperationError(node, error as Error, { itemIndex });
}
