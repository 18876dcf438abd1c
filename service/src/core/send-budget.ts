// The shared send budget of a WhatsApp phone number (pure; no I/O, time is an argument).
//
// Meta limits sends per phone number (80 msg/s by default), whatever process sends them, so every
// bulk send of a number takes its send permits from one token bucket held by the service. The bucket
// is kept in GCRA form: `tatUs` is the time of the next free permit; permits are spaced exactly
// `intervalUs` = ⌈1e6 / rate⌉ µs apart, so no 1 s window ever holds more than `rate` of them.
//
// Fairness between concurrent campaigns: permits are handed out no further ahead than `horizonUs`,
// and a campaign may hold at most its share of that horizon (capacity ÷ active campaigns) in permits
// not yet due. A campaign that asks more often does not get more; none waits behind another's backlog.
// A lease's permits are void after `expiresUs` (a late sender must not bunch them up).

export interface BudgetPolicy {
	/** How far ahead of now permits are granted (µs). */
	horizonUs: number;
	/** Most permits in one lease. */
	maxBatch: number;
	/** A lease's permits may be used until this long after its last permit (µs). */
	graceUs: number;
}

export const DEFAULT_BUDGET_POLICY: BudgetPolicy = { horizonUs: 1_000_000, maxBatch: 50, graceUs: 2_000_000 };

/** A lease still in force (its `expiresUs` is after now). */
export interface LiveLease {
	campaign: string;
	firstUs: number;
	intervalUs: number;
	granted: number;
	expiresUs: number;
}

export interface LeaseRequest {
	campaign: string;
	want: number;
	ratePerSecond: number;
	nowUs: number;
}

export interface LeaseDecision {
	granted: number;
	/** Time of the first permit (µs); the k-th is at firstUs + k·intervalUs. */
	firstUs: number;
	intervalUs: number;
	expiresUs: number;
	/** The bucket's next free permit after this lease. */
	nextTatUs: number;
	/** With nothing granted: when asking again may succeed (µs from now, ≥ 1 ms). */
	retryAfterUs: number;
	/**
	 * Permits not yet due that this campaign may hold (its share of the horizon). A campaign's rate is
	 * its holding ÷ the queue's delay, so a sender keeps asking until it holds its share.
	 */
	shareAhead: number;
	/** Permits not yet due this campaign holds after this lease. */
	heldAhead: number;
}

/** Spacing of permits at `ratePerSecond`, rounded up so `rate` permits never fit in 1 s. */
export function permitIntervalUs(ratePerSecond: number): number {
	if (!(ratePerSecond > 0)) throw new RangeError('ratePerSecond must be > 0');
	return Math.ceil(1_000_000 / ratePerSecond);
}

/** Permits of `lease` due after `nowUs` (granted, not yet usable). */
export function permitsAhead(lease: LiveLease, nowUs: number): number {
	if (lease.firstUs > nowUs) return lease.granted;
	const used = Math.floor((nowUs - lease.firstUs) / lease.intervalUs) + 1;
	return Math.max(0, lease.granted - used);
}

/** The earliest time after `nowUs` at which one of `lease`'s permits falls due. */
function nextDue(lease: LiveLease, nowUs: number): number {
	if (lease.firstUs > nowUs) return lease.firstUs;
	return lease.firstUs + (Math.floor((nowUs - lease.firstUs) / lease.intervalUs) + 1) * lease.intervalUs;
}

/**
 * Decides one lease: up to `want` permits from the bucket whose next free permit is at `tatUs`,
 * given the leases in force on this number (every campaign's, the requester's included).
 */
export function decideLease(
	tatUs: number,
	live: readonly LiveLease[],
	request: LeaseRequest,
	policy: BudgetPolicy = DEFAULT_BUDGET_POLICY,
): LeaseDecision {
	const { nowUs, campaign } = request;
	const intervalUs = permitIntervalUs(request.ratePerSecond);
	const firstUs = Math.max(nowUs, tatUs);
	const horizonEnd = nowUs + policy.horizonUs;
	// Free permits in [firstUs, horizonEnd).
	const free = firstUs < horizonEnd ? Math.ceil((horizonEnd - firstUs) / intervalUs) : 0;
	const capacity = Math.max(1, Math.floor(policy.horizonUs / intervalUs));
	const inForce = live.filter((l) => l.expiresUs > nowUs);
	const campaigns = new Set(inForce.map((l) => l.campaign)).add(campaign);
	const share = Math.max(1, Math.floor(capacity / campaigns.size));
	const own = inForce.filter((l) => l.campaign === campaign);
	const ownAhead = own.reduce((sum, l) => sum + permitsAhead(l, nowUs), 0);
	const granted = Math.max(0, Math.min(Math.floor(request.want), policy.maxBatch, free, share - ownAhead));
	if (granted > 0) {
		const lastUs = firstUs + (granted - 1) * intervalUs;
		return {
			granted,
			firstUs,
			intervalUs,
			expiresUs: lastUs + policy.graceUs,
			nextTatUs: firstUs + granted * intervalUs,
			retryAfterUs: 0,
			shareAhead: share,
			heldAhead: ownAhead + granted,
		};
	}
	// Nothing now: the bucket is full up to the horizon, or this campaign holds its share.
	// The next permit comes within the horizon just after firstUs − horizon.
	const bucketFreesUs = firstUs - horizonEnd + 1;
	const ownFreesUs =
		share - ownAhead <= 0
			? Math.min(...own.filter((l) => permitsAhead(l, nowUs) > 0).map((l) => nextDue(l, nowUs))) - nowUs
			: 0;
	const retryAfterUs = Math.max(1000, free === 0 ? bucketFreesUs : 0, ownFreesUs);
	return {
		granted: 0,
		firstUs,
		intervalUs,
		expiresUs: nowUs,
		nextTatUs: tatUs,
		retryAfterUs,
		shareAhead: share,
		heldAhead: ownAhead,
	};
}
