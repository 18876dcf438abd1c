// Waiting for an Instagram media container to be ready. Pure: the status check and the wait are
// passed in, and the time budget counts planned delays (not the wall clock).
//
// status_code: IN_PROGRESS → FINISHED (ready to publish), or ERROR / EXPIRED (never publishable),
// or PUBLISHED (already done). With ERROR, Meta's `status` carries the reason (and a subcode).

export type ContainerStatusCode = 'IN_PROGRESS' | 'FINISHED' | 'ERROR' | 'EXPIRED' | 'PUBLISHED';

export interface ContainerStatus {
	id?: string;
	status_code?: ContainerStatusCode | string;
	status?: string;
}

export interface PollSchedule {
	/** Delay before the second check (the first check is immediate). */
	initialDelayMs: number;
	/** Each delay is the previous one times this. */
	factor: number;
	/** No single delay longer than this. */
	maxDelayMs: number;
	/** Give up when the planned delays add up to more than this. */
	maxTotalWaitMs: number;
}

/** Meta suggests checking about once a minute for up to 5 minutes; start faster for images. */
export const DEFAULT_POLL_SCHEDULE: PollSchedule = {
	initialDelayMs: 1_000,
	factor: 2,
	maxDelayMs: 60_000,
	maxTotalWaitMs: 5 * 60_000,
};

/** Delay before check number `attempt + 1` (attempt 0 → initialDelayMs). */
export function pollDelay(attempt: number, schedule: PollSchedule): number {
	return Math.min(schedule.maxDelayMs, Math.round(schedule.initialDelayMs * Math.pow(schedule.factor, attempt)));
}

export type ContainerFailureKind = 'ERROR' | 'EXPIRED' | 'TIMEOUT';

export class ContainerNotPublishableError extends Error {
	constructor(
		readonly kind: ContainerFailureKind,
		readonly containerId: string,
		readonly statusText: string,
		readonly checks: number,
	) {
		super(
			kind === 'ERROR'
				? `Instagram could not process media container ${containerId}: ${statusText || 'status_code ERROR (no status text)'}`
				: kind === 'EXPIRED'
					? `Media container ${containerId} expired: it was not published within 24 hours${statusText ? ` (${statusText})` : ''}`
					: `Media container ${containerId} was still IN_PROGRESS after ${checks} checks${statusText ? ` (${statusText})` : ''}`,
		);
		this.name = 'ContainerNotPublishableError';
	}
}

/**
 * Checks the container until FINISHED (or PUBLISHED), waiting with exponential backoff between
 * checks. Throws ContainerNotPublishableError for ERROR, EXPIRED, or when the budget runs out.
 * `onCheck` sees every status (for progress reporting).
 */
export async function waitForContainer(
	containerId: string,
	check: () => Promise<ContainerStatus>,
	wait: (ms: number) => Promise<void>,
	schedule: PollSchedule = DEFAULT_POLL_SCHEDULE,
	onCheck?: (status: ContainerStatus, checks: number) => void,
): Promise<{ status: ContainerStatus; checks: number; waitedMs: number }> {
	let waitedMs = 0;
	for (let attempt = 0; ; attempt++) {
		const status = await check();
		const checks = attempt + 1;
		onCheck?.(status, checks);
		const code = String(status.status_code ?? '');
		if (code === 'FINISHED' || code === 'PUBLISHED') return { status, checks, waitedMs };
		if (code === 'ERROR') throw new ContainerNotPublishableError('ERROR', containerId, status.status ?? '', checks);
		if (code === 'EXPIRED') throw new ContainerNotPublishableError('EXPIRED', containerId, status.status ?? '', checks);
		const delay = pollDelay(attempt, schedule);
		if (waitedMs + delay > schedule.maxTotalWaitMs) {
			throw new ContainerNotPublishableError('TIMEOUT', containerId, status.status ?? '', checks);
		}
		await wait(delay);
		waitedMs += delay;
	}
}
