/**
 * The shared send budget of the bulk send (Sending Options → Shared Send Budget). Meta limits
 * throughput and pair rate per phone number, whichever execution or n8n worker sends, so with the
 * option on every run takes its send permits and its recipients' pair-rate slots from the
 * TiltedPrompts service (`/api/v1/send-budget/…`), which holds one budget per number for all of them.
 *
 * Permits come in small leases, asked for ahead of need so this run holds its fair share. If the
 * service cannot be asked (unreachable, error, key without the `send-budget` scope), the run goes on
 * paced locally at a safe share of the throughput (half by default) — never unthrottled — and its
 * output says so. Plugged into the scheduler through `SharedLimits` (bulkScheduler.ts).
 */
import {
	NodeOperationError,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type IExecuteFunctions,
} from 'n8n-workflow';
import { httpCall, isSuccess } from '../../shared/http';
import { summarizeServiceError } from '../../TiltedPrompts/shared/errors';
import { API_PREFIX, CREDENTIAL_TYPE as SERVICE_CREDENTIAL } from '../../TiltedPrompts/shared/transport';
import { Pacer, type BulkJob, type Clock, type SharedLimits } from './bulkScheduler';

export interface LeaseAnswer {
	granted: number;
	/** First permit, ms after the service's now; the k-th is interval_ms later each. */
	wait_ms: number;
	interval_ms: number;
	expires_in_ms: number;
	retry_after_ms: number;
	/** The service's clock when it decided (ISO, ms). */
	server_time?: string;
}

export interface PairAnswer {
	data: Array<{ wait_ms: number }>;
	server_time?: string;
}

/** The service's send-budget API as this module uses it (a fake in tests). */
export interface BudgetService {
	lease(phoneNumberId: string, body: { want: number; rate_per_second: number; campaign: string }): Promise<LeaseAnswer>;
	pairs(phoneNumberId: string, body: { recipients: string[]; spacing_seconds: number }): Promise<PairAnswer>;
}

/** What the output tells about the budget a run used. */
export interface BudgetStatus extends IDataObject {
	shared: boolean;
	ratePerSecond: number;
	/** Set when the run paced itself locally instead: why, and at what rate. */
	fallback: { reason: string; ratePerSecond: number } | null;
}

export interface SharedBudgetOptions {
	service: BudgetService;
	clock: Clock;
	ratePerSecond: number;
	pairSpacingMs: number;
	/** Who asks (this execution): concurrent campaigns of a number share its rate fairly. */
	campaign: string;
	/** The sender and recipient of a job. */
	addressOf: (job: BulkJob) => { phoneNumberId: string; to: string };
	/** Share of the throughput used when the service cannot be asked (default 0.5). */
	fallbackShare?: number;
	/** A permit this late (ms) is void: using it would bunch sends at Meta (default PERMIT_LATE_TOLERANCE_MS). */
	lateToleranceMs?: number;
	onFallback?: (status: BudgetStatus) => void;
}

interface Permit {
	at: number;
	expiresAt: number;
}

interface NumberBudget {
	permits: Permit[];
	/** No top-up before this time (the service said the share is held). */
	nextAskAt: number;
}

/** Most recipients per pair-slot request (the service's limit). */
const PAIR_BATCH = 500;

/**
 * A pair slot is reserved a little before the message leaves (a quarter second's batch at a time,
 * and the send may then wait up to the budget's second ahead for its permit): slots are spaced this
 * much more than the pair rate, so the real sends are too. A send later than its slot by more than
 * PAIR_LATE_TOLERANCE_MS (a busy event loop, a retry) reserves a new slot before it leaves.
 */
const PAIR_MARGIN_MS = 3000;
/** Checked before the send waits for its permit (at most the budget's second ahead). */
const PAIR_LATE_TOLERANCE_MS = PAIR_MARGIN_MS - 1500;

/**
 * A send may leave up to this long (ms) after its permit's time: timers fire late on a busy event
 * loop, and voiding every permit a few ms late wastes the number's throughput (on a loaded 2-core
 * machine, 5 ms cost a third of it). Later than this, the permit is void and the next one is taken.
 */
const PERMIT_LATE_TOLERANCE_MS = 15;

/**
 * Permits are leased at the throughput ÷ this. A send up to PERMIT_LATE_TOLERANCE_MS after its
 * permit makes any 1 s at Meta hold the permits of at most (1 s + tolerance): ⌈1.015 × rate ÷ 1.035⌉
 * (80: ⌈78.5⌉ = 79; 1,000: 981). The one or two permits left over are for the way from the check to
 * Meta (n8n's request helper opens a new connection per request: a few ms, more on a busy worker).
 */
const RATE_MARGIN = 1.035;

/** A service that does not answer within this long counts as unreachable (the run falls back). */
const SERVICE_TIMEOUT_MS = 5000;

/**
 * The service's "now" of an answer, on this clock. When the service's clock agrees with ours (its
 * `server_time` falls within the request: one host, or hosts kept in sync), that time is exact, so
 * permits are used on the service's own grid; sends of two workers then interleave exactly as the
 * service spaced them. Otherwise it is estimated as half-way through the request, which is off by up
 * to half the round trip, and by a different amount for every lease (a send up to that much early).
 */
export function serviceNowOf(askedAt: number, answeredAt: number, serverTime?: string): number {
	const server = serverTime === undefined ? Number.NaN : Date.parse(serverTime);
	// server_time is cut to the ms: its true value is up to 1 ms later (never use a permit early).
	if (server + 1 >= askedAt && server <= answeredAt) return Math.min(server + 1, answeredAt);
	return (askedAt + answeredAt) / 2;
}

export class SharedBudget implements SharedLimits {
	readonly pairLateToleranceMs = PAIR_LATE_TOLERANCE_MS;

	readonly permitLateToleranceMs: number;

	private readonly numbers = new Map<string, NumberBudget>();

	private readonly localPacers = new Map<string, Pacer>();

	private fallbackReason: string | undefined;

	/** Permits per lease: a quarter second's worth, 1 to 50. */
	private readonly batch: number;

	constructor(private readonly options: SharedBudgetOptions) {
		this.batch = Math.max(1, Math.min(50, Math.ceil(options.ratePerSecond / 4)));
		this.permitLateToleranceMs = options.lateToleranceMs ?? PERMIT_LATE_TOLERANCE_MS;
	}

	get status(): BudgetStatus {
		const { ratePerSecond } = this.options;
		if (this.fallbackReason === undefined) return { shared: true, ratePerSecond, fallback: null };
		return {
			shared: false,
			ratePerSecond,
			fallback: { reason: this.fallbackReason, ratePerSecond: this.fallbackRate() },
		};
	}

	async permit(job: BulkJob, now: number): Promise<number> {
		const { phoneNumberId } = this.options.addressOf(job);
		if (this.fallbackReason !== undefined) return this.localPermit(phoneNumberId, now);
		const budget = this.budgetOf(phoneNumberId);
		const { clock } = this.options;
		for (;;) {
			const t = clock.now();
			const tolerance = this.permitLateToleranceMs;
			while (budget.permits.length && (budget.permits[0].at < t - tolerance || budget.permits[0].expiresAt < t))
				budget.permits.shift();
			if (budget.permits.length >= Math.ceil(this.batch / 2) || (budget.permits.length && t < budget.nextAskAt))
				return (budget.permits.shift() as Permit).at;
			let answer: LeaseAnswer;
			const askedAt = clock.now();
			try {
				answer = await this.options.service.lease(phoneNumberId, {
					want: this.batch,
					rate_per_second: this.options.ratePerSecond / RATE_MARGIN,
					campaign: this.options.campaign,
				});
			} catch (error) {
				this.fallBack(error);
				return this.localPermit(phoneNumberId, clock.now());
			}
			const serviceNow = serviceNowOf(askedAt, clock.now(), answer.server_time);
			for (let k = 0; k < answer.granted; k++)
				budget.permits.push({
					at: serviceNow + answer.wait_ms + k * answer.interval_ms,
					expiresAt: serviceNow + answer.expires_in_ms,
				});
			if (answer.granted > 0) continue;
			budget.nextAskAt = clock.now() + answer.retry_after_ms;
			if (!budget.permits.length) await clock.sleep(Math.max(1, answer.retry_after_ms));
		}
	}

	async pairSlots(jobs: BulkJob[], now: number): Promise<number[]> {
		const slots = jobs.map(() => -Infinity);
		if (this.options.pairSpacingMs <= 0 || this.fallbackReason !== undefined) return slots;
		const byNumber = new Map<string, number[]>();
		jobs.forEach((job, i) => {
			const { phoneNumberId } = this.options.addressOf(job);
			const indexes = byNumber.get(phoneNumberId);
			if (indexes) indexes.push(i);
			else byNumber.set(phoneNumberId, [i]);
		});
		try {
			for (const [phoneNumberId, indexes] of byNumber) {
				for (let from = 0; from < indexes.length; from += PAIR_BATCH) {
					const chunk = indexes.slice(from, from + PAIR_BATCH);
					const askedAt = this.options.clock.now();
					const answer = await this.options.service.pairs(phoneNumberId, {
						recipients: chunk.map((i) => this.options.addressOf(jobs[i]).to),
						spacing_seconds: (this.options.pairSpacingMs + PAIR_MARGIN_MS) / 1000,
					});
					const serviceNow = serviceNowOf(askedAt, this.options.clock.now(), answer.server_time);
					chunk.forEach((i, k) => (slots[i] = serviceNow + Number(answer.data[k]?.wait_ms ?? 0)));
				}
			}
		} catch (error) {
			this.fallBack(error);
		}
		return slots.map((slot) => (slot <= now ? -Infinity : slot));
	}

	private budgetOf(phoneNumberId: string): NumberBudget {
		let budget = this.numbers.get(phoneNumberId);
		if (!budget) {
			budget = { permits: [], nextAskAt: -Infinity };
			this.numbers.set(phoneNumberId, budget);
		}
		return budget;
	}

	private fallbackRate(): number {
		return this.options.ratePerSecond * (this.options.fallbackShare ?? 0.5);
	}

	private localPermit(phoneNumberId: string, now: number): number {
		let pacer = this.localPacers.get(phoneNumberId);
		if (!pacer) {
			pacer = new Pacer(this.fallbackRate());
			this.localPacers.set(phoneNumberId, pacer);
		}
		return pacer.reserve(now);
	}

	private fallBack(error: unknown): void {
		if (this.fallbackReason !== undefined) return;
		this.fallbackReason = `The shared send budget could not be asked (${(error as Error).message}); this run paced itself locally at ${this.fallbackRate()} msg/s.`;
		for (const budget of this.numbers.values()) budget.permits = [];
		this.options.onFallback?.(this.status);
	}
}

/** The service's send-budget API over HTTP with the TiltedPrompts API credential (decrypted once). */
export async function serviceBudgetApi(this: IExecuteFunctions): Promise<BudgetService> {
	let credentials: ICredentialDataDecryptedObject;
	try {
		credentials = await this.getCredentials(SERVICE_CREDENTIAL);
	} catch {
		throw new NodeOperationError(this.getNode(), 'Shared Send Budget needs a TiltedPrompts API credential', {
			description:
				'Select the TiltedPrompts API credential (a key with the "send-budget" scope), or turn Shared Send Budget off in Sending Options.',
		});
	}
	const base = `${String(credentials.baseUrl ?? '').replace(/\/+$/, '')}${API_PREFIX}/send-budget`;
	const post = async (path: string, body: IDataObject): Promise<IDataObject> => {
		const response = await httpCall.call(
			this,
			{ method: 'POST', url: `${base}/${path}`, body, timeoutMs: SERVICE_TIMEOUT_MS },
			{ credentialType: SERVICE_CREDENTIAL, credentials },
		);
		if (isSuccess(response)) return response.body as IDataObject;
		const summary = summarizeServiceError(response.status, response.body);
		throw new Error(`the service answered ${response.status} ${summary.code}: ${summary.message}`);
	};
	return {
		lease: async (phoneNumberId, body) =>
			(await post(`${encodeURIComponent(phoneNumberId)}/lease`, body)) as unknown as LeaseAnswer,
		pairs: async (phoneNumberId, body) =>
			(await post(`${encodeURIComponent(phoneNumberId)}/pairs`, body)) as unknown as PairAnswer,
	};
}

/** The campaign name of this execution (the unit of fairness). */
export function campaignOf(this: IExecuteFunctions): string {
	let execution = '';
	try {
		execution = String(this.getExecutionId() ?? '');
	} catch {
		execution = '';
	}
	return `${this.getWorkflow().id ?? 'workflow'}:${execution || 'manual'}`;
}

/** The shared budget of one bulk send run, on the service of the TiltedPrompts API credential. */
export async function sharedBudgetFor(
	this: IExecuteFunctions,
	options: { ratePerSecond: number; pairSpacingMs: number },
	clock: Clock,
	addressOf: SharedBudgetOptions['addressOf'],
): Promise<SharedBudget> {
	return new SharedBudget({
		service: await serviceBudgetApi.call(this),
		clock,
		ratePerSecond: options.ratePerSecond,
		pairSpacingMs: options.pairSpacingMs,
		campaign: campaignOf.call(this),
		addressOf,
		onFallback: (status) => this.sendMessageToUI?.(`WhatsApp: ${status.fallback?.reason ?? ''}`),
	});
}

/** Every output item says which budget paced it (and, after a fallback, why and how). */
export function withBudgetStatus<T extends { json: IDataObject }>(output: T[], budget: SharedBudget | undefined): T[] {
	if (!budget) return output;
	const status = budget.status;
	// One status object for every item, set in place: the items are this run's own, fresh objects.
	for (const item of output) item.json.sendBudget = status;
	return output;
}
