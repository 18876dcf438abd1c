// One delivery attempt, without I/O: the signed request to send, and what to record after the
// subscriber answered (or did not). 2xx → succeeded; anything else → the next attempt on the retry
// schedule, or a dead letter when the schedule is used up.
import { signHeaders, type WebhookSecret } from '../core/standard-webhooks';
import { webhookIdFor } from './outbox';
import { nextAttempt } from './retry-schedule';

export const USER_AGENT = 'TiltedPrompts-Webhooks/1.0';

/** What a leased delivery carries to build its request. */
export interface DeliveryContent {
	event_type: string;
	dedupe_key: string;
	occurred_at: Date;
	payload: unknown;
}

/**
 * The JSON body and the Standard Webhooks headers of one attempt, signed with every secret (`whsec_…`
 * in clear or its prepared key; two during a rotation overlap).
 */
export function deliveryRequest(
	row: DeliveryContent,
	secrets: readonly WebhookSecret[],
	nowSeconds: number,
): { body: string; headers: Record<string, string> } {
	const body = JSON.stringify({
		type: row.event_type,
		timestamp: new Date(row.occurred_at).toISOString(),
		data: row.payload,
	});
	const headers = signHeaders(secrets, webhookIdFor(row.dedupe_key), nowSeconds, body);
	return { body, headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT, ...headers } };
}

/** How an attempt ended: the subscriber's status code, or why there was none. */
export interface AttemptResult {
	statusCode: number | null;
	/** Set when no answer came (network error, timeout). */
	failure?: string;
}

export interface Outcome {
	status: 'succeeded' | 'dead' | 'pending';
	statusCode: number | null;
	error: string | null;
	/** Delay before the next attempt (status `pending`), else 0. */
	delayMs: number;
}

/** The outcome to record after attempt number `attempts` (1 = the first). */
export function attemptOutcome(
	attempts: number,
	result: AttemptResult,
	schedule: readonly number[],
	random?: () => number,
): Outcome {
	const { statusCode } = result;
	const ok = result.failure === undefined && statusCode !== null && statusCode >= 200 && statusCode < 300;
	if (ok) return { status: 'succeeded', statusCode, error: null, delayMs: 0 };
	const error = result.failure ?? `HTTP ${statusCode}`;
	const next = nextAttempt(schedule, attempts, random);
	if (next.kind === 'dead') return { status: 'dead', statusCode, error, delayMs: 0 };
	return { status: 'pending', statusCode, error, delayMs: next.delayMs };
}
