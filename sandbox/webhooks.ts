/**
 * Webhooks as Meta sends them: the `X-Hub-Signature-256` signature, the Instagram comment payload,
 * and a deliverer that verifies the callback URL first (GET hub.mode / hub.verify_token / hub.challenge)
 * and then POSTs each signed batch in order, retrying a few times when the receiver is down.
 * The WhatsApp payloads come from meta-webhooks.ts.
 */
import { createHmac, randomBytes } from 'node:crypto';

export type Payload = Record<string, unknown>;

/** `sha256=<hex HMAC-SHA256(app secret, raw body bytes)>`, as Meta signs webhook POSTs. */
export function signPayload(raw: string | Buffer, appSecret: string): string {
	return `sha256=${createHmac('sha256', appSecret).update(raw).digest('hex')}`;
}

/** An Instagram `comments` webhook for a new comment on one of the account's posts. */
export function commentWebhook(
	accountId: string,
	comment: { id: string; text: string; from: { id: string; username: string }; mediaId: string; parentId?: string },
	at: number,
): Payload {
	const value: Payload = {
		from: comment.from,
		media: { id: comment.mediaId, media_product_type: 'FEED' },
		id: comment.id,
		text: comment.text,
	};
	if (comment.parentId) value.parent_id = comment.parentId;
	return {
		object: 'instagram',
		entry: [{ id: accountId, time: Math.floor(at / 1000), changes: [{ field: 'comments', value }] }],
	};
}

export interface WebhookTarget {
	/** The receiver's callback URL (the service's /webhooks/meta). */
	url: string;
	appSecret: string;
	verifyToken: string;
}

export interface DeliveryRecord {
	at: number;
	kind: string;
	status: number | 'error';
	detail: string;
}

export interface Deliverer {
	/** 'off' without a target; 'verified' once the handshake echoed the challenge; 'failed' otherwise. */
	readonly state: 'off' | 'pending' | 'verified' | 'failed';
	readonly problem: string | undefined;
	readonly log: DeliveryRecord[];
	verify(): Promise<boolean>;
	/** Queues a payload; batches go out one at a time, in order. Resolves when it was answered (or given up). */
	send(kind: string, payload: Payload): Promise<DeliveryRecord>;
	/** Resolves when everything queued so far has been answered (or given up). */
	idle(): Promise<void>;
}

const LOG_SIZE = 200;

export function createDeliverer(
	target: WebhookTarget | undefined,
	options: { retries?: number; retryDelayMs?: number } = {},
): Deliverer {
	const retries = options.retries ?? 4;
	const retryDelayMs = options.retryDelayMs ?? 500;
	const log: DeliveryRecord[] = [];
	let state: Deliverer['state'] = target ? 'pending' : 'off';
	let problem: string | undefined = target
		? undefined
		: 'no webhook URL configured: events are shown here but sent nowhere';
	let queue: Promise<unknown> = Promise.resolve();
	const record = (entry: DeliveryRecord) => {
		log.push(entry);
		if (log.length > LOG_SIZE) log.shift();
		return entry;
	};

	const post = async (kind: string, raw: string): Promise<DeliveryRecord> => {
		if (!target) return record({ at: Date.now(), kind, status: 'error', detail: problem ?? 'off' });
		// As Meta does: nothing is POSTed to a callback URL that has not passed the GET handshake.
		if (state !== 'verified' && !(await verify()))
			return record({ at: Date.now(), kind, status: 'error', detail: `not sent: ${problem}` });
		let last: DeliveryRecord | undefined;
		for (let attempt = 0; attempt <= retries; attempt++) {
			try {
				const res = await fetch(target.url, {
					method: 'POST',
					headers: { 'content-type': 'application/json', 'x-hub-signature-256': signPayload(raw, target.appSecret) },
					body: raw,
				});
				const text = await res.text();
				last = { at: Date.now(), kind, status: res.status, detail: text.slice(0, 300) };
				if (res.status < 500 && res.status !== 429) break;
			} catch (error) {
				last = { at: Date.now(), kind, status: 'error', detail: `${target.url}: ${(error as Error).message}` };
			}
			if (attempt < retries) await new Promise((resolve) => setTimeout(resolve, retryDelayMs * 2 ** attempt));
		}
		return record(last!);
	};

	async function verify(): Promise<boolean> {
		if (!target) return false;
		const challenge = randomBytes(8).toString('hex');
		const url = new URL(target.url);
		url.searchParams.set('hub.mode', 'subscribe');
		url.searchParams.set('hub.verify_token', target.verifyToken);
		url.searchParams.set('hub.challenge', challenge);
		try {
			const res = await fetch(url);
			const text = await res.text();
			if (res.ok && text === challenge) {
				state = 'verified';
				problem = undefined;
			} else {
				state = 'failed';
				problem = `callback verification failed: ${res.status} ${text.slice(0, 200)}`;
			}
		} catch (error) {
			state = 'failed';
			problem = `callback verification failed: ${target.url}: ${(error as Error).message}`;
		}
		record({
			at: Date.now(),
			kind: 'verify',
			status: state === 'verified' ? 200 : 'error',
			detail: problem ?? 'challenge echoed',
		});
		return state === 'verified';
	}

	return {
		get state() {
			return state;
		},
		get problem() {
			return problem;
		},
		log,
		verify,
		send(kind, payload) {
			const raw = JSON.stringify(payload);
			const result = queue.then(() => post(kind, raw));
			queue = result.catch(() => undefined);
			return result;
		},
		async idle() {
			await queue;
		},
	};
}
