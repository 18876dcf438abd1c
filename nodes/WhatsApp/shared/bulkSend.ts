/**
 * The bulk send path: every item of one execution goes out through one throttle (bulkScheduler).
 * One output item per input item, paired, in input order: Meta's response with the wamid, or (with
 * continueOnFail) the error with Meta's code, details and fbtrace_id. A dead token (190) stops the
 * run whatever the error setting; without continueOnFail the first permanent error stops it too,
 * and the error says how many messages had already gone out.
 */
import { NodeApiError, NodeOperationError, sleep, type IDataObject, type IExecuteFunctions, type INodeExecutionData, type JsonObject } from 'n8n-workflow';
import { describeMetaError, metaApiError, metaErrorJson, retryAfterMs, type DescribedMetaError } from '../../shared/metaErrors';
import { uploadBinary } from '../resources/media';
import { defaultConcurrency, runBulk, type AttemptOutcome, type BulkJob, type Clock } from './bulkScheduler';
import { LimitError } from './limits';
import { graphRequest, isSuccess, type GraphResponse } from './transport';
import type { BuildContext, PreparedSend } from './types';

export type Builder = (this: IExecuteFunctions, itemIndex: number, context: BuildContext) => Promise<PreparedSend>;

interface SendingOptions {
	throughput?: number;
	pairRateSeconds?: number;
	maxRetries?: number;
	concurrency?: number;
}

type SendError = { kind: 'meta'; described: DescribedMetaError; response: GraphResponse<unknown> } | { kind: 'local'; error: Error };

const realClock: Clock = { now: () => Date.now(), sleep: async (ms) => await sleep(ms) };

export function limitErrorToNodeError(this: IExecuteFunctions, error: unknown, itemIndex: number): Error {
	if (error instanceof LimitError) return new NodeOperationError(this.getNode(), error.message, { itemIndex, description: error.description });
	return error as Error;
}

export async function executeBulkSend(this: IExecuteFunctions, build: Builder, clock: Clock = realClock): Promise<INodeExecutionData[]> {
	const items = this.getInputData();
	const continueOnFail = this.continueOnFail();
	const options = this.getNodeParameter('sendingOptions', 0, {}) as SendingOptions;
	const rate = Math.min(1000, Math.max(1, Number(options.throughput ?? 80)));
	const pairSpacingMs = Math.max(0, Number(options.pairRateSeconds ?? 6)) * 1000;
	const maxRetries = Math.max(0, Math.floor(Number(options.maxRetries ?? 5)));
	const concurrency = Number(options.concurrency ?? 0) > 0 ? Number(options.concurrency) : defaultConcurrency(rate);

	// 1. Build and check every item before anything is sent.
	const context: BuildContext = { templates: new Map() };
	const prepared: Array<PreparedSend | undefined> = new Array(items.length);
	const output: Array<INodeExecutionData | undefined> = new Array(items.length);
	for (let i = 0; i < items.length; i++) {
		try {
			prepared[i] = await build.call(this, i, context);
		} catch (error) {
			const nodeError = limitErrorToNodeError.call(this, error, i);
			if (!continueOnFail) throw nodeError;
			output[i] = { json: { error: { message: nodeError.message, description: (nodeError as NodeOperationError).description ?? null } }, pairedItem: { item: i } };
		}
	}

	// 2. Send through the throttle.
	const jobs: BulkJob[] = [];
	const jobItem: number[] = [];
	for (let i = 0; i < items.length; i++) {
		const message = prepared[i];
		if (!message) continue;
		jobItem.push(i);
		jobs.push({ index: jobs.length, recipient: `${message.phoneNumberId}:${message.to}` });
	}
	const uploaded = new Map<number, string>();
	let done = 0;
	let lastProgress = clock.now();
	const attempt = async (job: BulkJob): Promise<AttemptOutcome<IDataObject, SendError>> => {
		const itemIndex = jobItem[job.index];
		const message = prepared[itemIndex] as PreparedSend;
		try {
			if (message.binaryUpload && !uploaded.has(itemIndex)) {
				uploaded.set(itemIndex, await uploadBinary.call(this, itemIndex, message.phoneNumberId, message.binaryUpload.propertyName));
				message.binaryUpload.target.id = uploaded.get(itemIndex);
			}
			const response = await graphRequest.call(this, { method: 'POST', path: `/${message.phoneNumberId}/messages`, body: message.body });
			if (isSuccess(response)) return { ok: true, value: response.body };
			const described = describeMetaError(response.body, { product: 'WhatsApp', httpStatus: response.status });
			return {
				ok: false,
				error: { kind: 'meta', described, response: response as GraphResponse<unknown> },
				retryable: described.retryable,
				kind: described.info.backoff ?? 'default',
				retryAfterMs: retryAfterMs(response.headers),
				stopRun: described.stopRun,
			};
		} catch (error) {
			if (error instanceof LimitError) return { ok: false, error: { kind: 'local', error }, retryable: false };
			if (error instanceof NodeApiError) {
				// A failed upload: Meta's error, already described.
				const code = Number(error.errorResponse?.code);
				const stopRun = code === 190 || code === 0;
				return { ok: false, error: { kind: 'local', error }, retryable: false, stopRun };
			}
			// Network errors (connection reset, timeout) are worth retrying.
			return { ok: false, error: { kind: 'local', error: error as Error }, retryable: true };
		}
	};
	const run = await runBulk(jobs, attempt, {
		ratePerSecond: rate,
		pairSpacingMs,
		maxRetries,
		concurrency,
		clock,
		stopOnFailure: !continueOnFail,
		onResult: () => {
			done++;
			const now = clock.now();
			if (now - lastProgress >= 5000) {
				lastProgress = now;
				this.sendMessageToUI?.(`WhatsApp: ${done} of ${jobs.length} messages done`);
			}
		},
	});

	const sent = run.results.filter((r) => r.status === 'sent').length;
	const toError = (error: SendError, itemIndex: number): Error =>
		error.kind === 'meta'
			? metaApiError(this.getNode(), error.response as { status: number; body: unknown; headers: Record<string, unknown> }, { product: 'WhatsApp', itemIndex })
			: limitErrorToNodeError.call(this, error.error, itemIndex);
	const withRunSummary = (error: Error, why: string): Error => {
		const summary = `${sent} of ${items.length} messages were sent before the run stopped (${why}); the others were not sent.`;
		const described = error as Error & { description?: string | null };
		described.description = described.description ? `${described.description}\n${summary}` : summary;
		return error;
	};

	if (run.stoppedBy) {
		throw withRunSummary(toError(run.stoppedBy.error, jobItem[run.stoppedBy.index]), 'the access token was rejected');
	}

	for (const result of run.results) {
		const itemIndex = jobItem[result.index];
		if (result.status === 'sent') {
			const body = result.value;
			const messages = (body.messages as IDataObject[] | undefined) ?? [];
			output[itemIndex] = { json: { ...body, wamid: messages[0]?.id ?? null, attempts: result.attempts }, pairedItem: { item: itemIndex } };
		} else if (result.status === 'failed') {
			if (!continueOnFail) throw withRunSummary(toError(result.error, itemIndex), `item ${itemIndex} failed`);
			const error =
				result.error.kind === 'meta'
					? metaErrorJson(result.error.described)
					: ({ message: result.error.error.message, description: (result.error.error as { description?: string }).description ?? null } as JsonObject);
			output[itemIndex] = { json: { to: prepared[itemIndex]?.to ?? null, error, attempts: result.attempts }, pairedItem: { item: itemIndex } };
		} else {
			output[itemIndex] = { json: { to: prepared[itemIndex]?.to ?? null, error: { message: 'Not sent: the run stopped before this message' } }, pairedItem: { item: itemIndex } };
		}
	}
	return output.map((entry, i) => entry ?? { json: { error: { message: 'Not sent' } }, pairedItem: { item: i } });
}
