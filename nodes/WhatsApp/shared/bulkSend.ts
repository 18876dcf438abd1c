/**
 * The bulk send path, a batch operation: every item of one execution goes out through one throttle
 * (bulkScheduler). One output item per input item, paired, in input order: Meta's response with the
 * wamid, or (with continueOnFail) the error in the shared error shape with Meta's code, details and
 * fbtrace_id. A dead token (190) stops sending at once whatever the error setting: without
 * continueOnFail the node throws and says how many messages had already gone out (the first permanent
 * error stops it too); with continueOnFail it still returns one item per input item, so what went out
 * is never lost. Items this node certainly did not send (refused before sending, refused because the
 * token is dead, or never attempted because the run stopped) carry `sent: false`, so a campaign can
 * give those recipients back.
 */
import { NodeApiError, sleep, type IDataObject, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';
import { errorItem, stopsRun, toNodeError } from '../../shared/errors';
import { runParameters } from '../../shared/parameters';
import { describeMetaError, metaApiError, metaErrorJson, type DescribedMetaError } from '../../shared/metaErrors';
import {
	defaultConcurrency,
	runBulk,
	type AttemptOutcome,
	type BulkJob,
	type BulkRun,
	type Clock,
} from './bulkScheduler';
import { LimitError } from './limits';
import { fallbackNote, isNotOnboarded, sentVia } from './marketing';
import { sharedBudgetFor, withBudgetStatus } from './sharedBudget';
import { uploadBinary } from './media';
import { graphRequest, isSuccess, type GraphResponse } from './transport';
import type { BuildContext, PreparedSend } from './types';

/** Reads one item's parameters into the message to send (checking Meta's limits). */
export type Builder = (this: IExecuteFunctions, itemIndex: number, context: BuildContext) => Promise<PreparedSend>;

interface SendingOptions {
	throughput?: number;
	pairRateSeconds?: number;
	maxRetries?: number;
	concurrency?: number;
	sharedBudget?: boolean;
}

type SendError =
	{ kind: 'meta'; described: DescribedMetaError; response: GraphResponse<unknown> } | { kind: 'local'; error: Error };

const realClock: Clock = { now: () => Date.now(), sleep: async (ms) => await sleep(ms) };

/**
 * Items built between two turns of the event loop. Building resolves without I/O (promises that are
 * already settled), so a long list would hold the process for its whole length: in queue mode the
 * worker then cannot renew its job's lock, and n8n fails the execution as stalled while it sends.
 */
const BUILD_SLICE = 100;

/** Step 1: build and check every item before anything is sent. */
async function prepareAll(
	this: IExecuteFunctions,
	count: number,
	build: Builder,
	output: Array<INodeExecutionData | undefined>,
): Promise<Array<PreparedSend | undefined>> {
	const context: BuildContext = { templates: new Map(), parameter: runParameters.call(this) };
	const prepared: Array<PreparedSend | undefined> = new Array(count);
	for (let i = 0; i < count; i++) {
		if (i > 0 && i % BUILD_SLICE === 0) await sleep(0);
		try {
			prepared[i] = await build.call(this, i, context);
		} catch (error) {
			const nodeError = toNodeError(this.getNode(), error, i);
			if (!this.continueOnFail()) throw nodeError;
			output[i] = { json: { sent: false, error: errorItem(nodeError) }, pairedItem: { item: i } };
		}
	}
	return prepared;
}

function setMediaId(body: IDataObject, path: string[], id: string): void {
	let target = body;
	for (const key of path) target = target[key] as IDataObject;
	target.id = id;
}

function metaFailure(response: GraphResponse<IDataObject>): AttemptOutcome<IDataObject, SendError> {
	const described = describeMetaError(response.body, { product: 'WhatsApp', httpStatus: response.status });
	return {
		ok: false,
		error: { kind: 'meta', described, response: response as GraphResponse<unknown> },
		retryable: described.retryable,
		kind: described.info.backoff ?? 'default',
		retryAfterMs: response.retryAfterMs,
		stopRun: described.stopRun,
	};
}

/** A failed upload refused because the access token is dead (190, or 0: authentication failed). */
function isTokenRefusal(error: NodeApiError): boolean {
	const code = Number(error.errorResponse?.code);
	return code === 190 || code === 0;
}

/** An attempt refused because the access token is dead: certainly not sent, and it stops the run. */
function stoppedTheRun(error: SendError): boolean {
	if (error.kind === 'meta') return error.described.stopRun;
	return error.error instanceof NodeApiError && isTokenRefusal(error.error);
}

function localFailure(error: unknown): AttemptOutcome<IDataObject, SendError> {
	if (error instanceof LimitError) return { ok: false, error: { kind: 'local', error }, retryable: false };
	if (error instanceof NodeApiError) {
		// A failed upload: Meta's error, already described.
		return { ok: false, error: { kind: 'local', error }, retryable: false, stopRun: isTokenRefusal(error) };
	}
	// Network errors (connection reset, timeout) are worth retrying.
	return { ok: false, error: { kind: 'local', error: error as Error }, retryable: true };
}

/**
 * POSTs one message to its endpoint. A marketing template refused by /marketing_messages because the
 * account is not onboarded goes through /messages instead (remembered per sender for the run), with a
 * note saying so.
 */
async function post(
	this: IExecuteFunctions,
	message: PreparedSend,
	notOnboarded: Map<string, unknown>,
): Promise<{ response: GraphResponse<IDataObject>; value: () => IDataObject }> {
	if (message.endpoint === 'marketing_messages' && !notOnboarded.has(message.phoneNumberId)) {
		const response = await graphRequest.call(this, {
			method: 'POST',
			path: `/${message.phoneNumberId}/marketing_messages`,
			body: message.body,
			followRedirects: false,
		});
		if (isSuccess(response) || !isNotOnboarded(response.body))
			return { response, value: () => sentVia(response.body, 'marketing_messages') };
		notOnboarded.set(message.phoneNumberId, response.body);
	}
	const note =
		message.endpoint === 'marketing_messages' ? fallbackNote(notOnboarded.get(message.phoneNumberId)) : undefined;
	const response = await graphRequest.call(this, {
		method: 'POST',
		path: `/${message.phoneNumberId}/messages`,
		body: message.body,
		followRedirects: false,
	});
	return { response, value: () => (message.endpoint ? sentVia(response.body, 'messages', note) : response.body) };
}

/** One attempt at one message: upload its binary first (once), then POST it. */
function attempter(this: IExecuteFunctions, prepared: Array<PreparedSend | undefined>, jobItem: number[]) {
	const uploaded = new Set<number>();
	const notOnboarded = new Map<string, unknown>();
	return async (job: BulkJob): Promise<AttemptOutcome<IDataObject, SendError>> => {
		const itemIndex = jobItem[job.index];
		const message = prepared[itemIndex] as PreparedSend;
		try {
			if (message.binaryUpload && !uploaded.has(itemIndex)) {
				const id = await uploadBinary.call(this, itemIndex, message.phoneNumberId, message.binaryUpload.propertyName);
				setMediaId(message.body, message.binaryUpload.path, id);
				uploaded.add(itemIndex);
			}
			const { response, value } = await post.call(this, message, notOnboarded);
			return isSuccess(response) ? { ok: true, value: value() } : metaFailure(response);
		} catch (error) {
			return localFailure(error);
		}
	};
}

function readOptions(this: IExecuteFunctions) {
	const options = this.getNodeParameter('sendingOptions', 0, {}) as SendingOptions;
	const rate = Math.min(1000, Math.max(1, Number(options.throughput ?? 80)));
	return {
		ratePerSecond: rate,
		pairSpacingMs: Math.max(0, Number(options.pairRateSeconds ?? 6)) * 1000,
		maxRetries: Math.max(0, Math.floor(Number(options.maxRetries ?? 5))),
		concurrency: Number(options.concurrency ?? 0) > 0 ? Number(options.concurrency) : defaultConcurrency(rate),
		sharedBudget: options.sharedBudget === true,
	};
}

/**
 * Step 3: one output item per input item, or (without continueOnFail) the error that stops the run.
 * With continueOnFail a run stopped by a dead token still returns every item: the sent ones with
 * their wamid, the refused and never attempted ones with `sent: false` and why.
 */
function collectOutput(
	this: IExecuteFunctions,
	run: BulkRun<IDataObject, SendError>,
	prepared: Array<PreparedSend | undefined>,
	jobItem: number[],
	output: Array<INodeExecutionData | undefined>,
): INodeExecutionData[] {
	const sent = run.results.filter((r) => r.status === 'sent').length;
	const toError = (error: SendError, itemIndex: number): Error =>
		error.kind === 'meta'
			? metaApiError(
					this.getNode(),
					error.response as { status: number; body: unknown; headers: Record<string, unknown> },
					{ product: 'WhatsApp', itemIndex },
				)
			: toNodeError(this.getNode(), error.error, itemIndex);
	const withRunSummary = (error: Error, why: string): Error => {
		const summary = `${sent} of ${output.length} messages were sent before the run stopped (${why}); the others were not sent.`;
		const described = error as Error & { description?: string | null };
		described.description = described.description ? `${described.description}\n${summary}` : summary;
		return error;
	};
	if (run.stoppedBy && !this.continueOnFail())
		throw stopsRun(
			withRunSummary(toError(run.stoppedBy.error, jobItem[run.stoppedBy.index]), 'the access token was rejected'),
		);
	const stopReason = run.stoppedBy
		? ' (WhatsApp refused the access token)'
		: run.cancelled
			? ' (the execution was stopped)'
			: '';
	for (const result of run.results) {
		const itemIndex = jobItem[result.index];
		const to = prepared[itemIndex]?.to ?? null;
		if (result.status === 'sent') {
			const messages = (result.value.messages as IDataObject[] | undefined) ?? [];
			output[itemIndex] = {
				json: { ...result.value, wamid: messages[0]?.id ?? null, attempts: result.attempts },
				pairedItem: { item: itemIndex },
			};
		} else if (result.status === 'failed') {
			if (!this.continueOnFail()) throw withRunSummary(toError(result.error, itemIndex), `item ${itemIndex} failed`);
			const error =
				result.error.kind === 'meta'
					? metaErrorJson(result.error.described)
					: errorItem(toNodeError(this.getNode(), result.error.error, itemIndex));
			const notSent = stoppedTheRun(result.error) ? { sent: false } : {};
			output[itemIndex] = {
				json: { to, ...notSent, error, attempts: result.attempts },
				pairedItem: { item: itemIndex },
			};
		} else {
			output[itemIndex] = {
				json: {
					to,
					sent: false,
					error: errorItem(new Error(`Not sent: the run stopped before this message${stopReason}`)),
				},
				pairedItem: { item: itemIndex },
			};
		}
	}
	return output.map(
		(entry, i) => entry ?? { json: { sent: false, error: errorItem(new Error('Not sent')) }, pairedItem: { item: i } },
	);
}

/** Sends every input item's message through one throttle; `build` reads an item into its message. */
export async function executeBulkSend(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	build: Builder,
	clock: Clock = realClock,
): Promise<INodeExecutionData[]> {
	const output: Array<INodeExecutionData | undefined> = new Array(items.length);
	const prepared = await prepareAll.call(this, items.length, build, output);
	const jobs: BulkJob[] = [];
	const jobItem: number[] = [];
	prepared.forEach((message, i) => {
		if (!message) return;
		jobItem.push(i);
		jobs.push({ index: jobs.length, recipient: `${message.phoneNumberId}:${message.to}` });
	});
	let done = 0;
	let lastProgress = clock.now();
	const options = readOptions.call(this);
	const shared = options.sharedBudget
		? await sharedBudgetFor.call(this, options, clock, (job) => prepared[jobItem[job.index]] as PreparedSend)
		: undefined;
	const run = await runBulk(jobs, attempter.call(this, prepared, jobItem), {
		...options,
		shared,
		clock,
		// Stopping the execution in n8n stops the campaign: no message starts after it.
		cancelSignal: this.getExecutionCancelSignal?.(),
		stopOnFailure: !this.continueOnFail(),
		onResult: () => {
			done++;
			if (clock.now() - lastProgress < 5000) return;
			lastProgress = clock.now();
			this.sendMessageToUI?.(`WhatsApp: ${done} of ${jobs.length} messages done`);
		},
	});
	return withBudgetStatus(collectOutput.call(this, run, prepared, jobItem, output), shared);
}

/** The `execute` of a bulk send batch operation (Send, Send Template). */
export function bulkSend(build: Builder) {
	return async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
		return await executeBulkSend.call(this, items, build);
	};
}
