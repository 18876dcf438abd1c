// The send budget's maths on a virtual clock: campaigns lease permits as their senders would, and
// every granted permit's time is counted.
import { maxInAnyWindow } from '../../../test/helpers/windows';
import { decideLease, DEFAULT_BUDGET_POLICY, permitIntervalUs, permitsAhead, type LiveLease } from './send-budget';

const maxPerSecond = (times: number[]) => maxInAnyWindow(times, 1_000_000);

/** A bucket and its leases, as the repository keeps them, driven by explicit times (µs). */
function bucket(ratePerSecond: number) {
	let tat = 0;
	const leases: LiveLease[] = [];
	const permits: Array<{ campaign: string; at: number }> = [];
	return {
		permits,
		lease(campaign: string, want: number, nowUs: number) {
			const d = decideLease(tat, leases, { campaign, want, ratePerSecond, nowUs });
			if (d.granted > 0) {
				tat = d.nextTatUs;
				leases.push({
					campaign,
					granted: d.granted,
					firstUs: d.firstUs,
					intervalUs: d.intervalUs,
					expiresUs: d.expiresUs,
				});
				for (let k = 0; k < d.granted; k++) permits.push({ campaign, at: d.firstUs + k * d.intervalUs });
			}
			return d;
		},
	};
}

/** Campaigns that each ask for `batch` permits, then again when their last permit is near (or after retry_after). */
function simulate(
	rate: number,
	campaigns: Array<{ name: string; batch: number; startUs: number; stopUs: number }>,
	untilUs: number,
) {
	const b = bucket(rate);
	const nextAsk = new Map(campaigns.map((c) => [c.name, c.startUs]));
	for (let now = 0; now < untilUs; now += 1000) {
		for (const c of campaigns) {
			if (now < (nextAsk.get(c.name) as number) || now >= c.stopUs) continue;
			const d = b.lease(c.name, c.batch, now);
			nextAsk.set(
				c.name,
				d.granted > 0 ? Math.max(now + 1000, d.firstUs + (d.granted - 2) * d.intervalUs) : now + d.retryAfterUs,
			);
		}
	}
	return b.permits;
}

describe('send budget (token bucket per phone number)', () => {
	it('spaces permits 1/rate apart, rounded up, so no 1 s window holds more than the rate', () => {
		expect(permitIntervalUs(80)).toBe(12_500);
		expect(permitIntervalUs(3)).toBe(333_334);
		for (const rate of [1, 3, 7, 80, 1000]) {
			const permits = simulate(rate, [{ name: 'a', batch: 50, startUs: 0, stopUs: 5_000_000 }], 5_000_000);
			expect(maxPerSecond(permits.map((p) => p.at))).toBeLessThanOrEqual(rate);
			// And the rate is used: over 5 s, at least 4 s worth of permits were granted.
			expect(permits.length).toBeGreaterThanOrEqual(Math.floor(rate * 4));
		}
	});

	it('grants a small batch at most, no further than the horizon ahead, and says when to ask again', () => {
		const b = bucket(80);
		const first = b.lease('a', 500, 0);
		expect(first).toMatchObject({ granted: DEFAULT_BUDGET_POLICY.maxBatch, firstUs: 0, intervalUs: 12_500 });
		expect(first.expiresUs).toBe(49 * 12_500 + DEFAULT_BUDGET_POLICY.graceUs);
		// Alone, a campaign may fill the whole horizon (80 permits in 1 s), then must wait.
		expect(b.lease('a', 500, 0).granted).toBe(30);
		const refused = b.lease('a', 10, 0);
		expect(refused.granted).toBe(0);
		expect(refused.retryAfterUs).toBe(1000); // the next permit enters the horizon at once: ask again in 1 ms
		expect(b.lease('a', 10, 1000).granted).toBe(1);
	});

	it('splits the rate fairly between two campaigns, whichever asks more often', () => {
		// "greedy" asks for 50 every millisecond; "calm" asks for 10 every 50 ms. The service caps both at their share.
		const b = bucket(80);
		for (let now = 0; now < 10_000_000; now += 1000) {
			b.lease('greedy', 50, now);
			if (now % 50_000 === 0) b.lease('calm', 10, now);
		}
		const greedy = b.permits.filter((p) => p.campaign === 'greedy').length;
		const calm = b.permits.filter((p) => p.campaign === 'calm').length;
		expect(maxPerSecond(b.permits.map((p) => p.at))).toBeLessThanOrEqual(80);
		expect(Math.abs(greedy - calm) / (greedy + calm)).toBeLessThan(0.1);
		expect(greedy + calm).toBeGreaterThanOrEqual(790);
	});

	it("lets a late campaign in at once and gives a finished one's share back", () => {
		const permits = simulate(
			40,
			[
				{ name: 'first', batch: 20, startUs: 0, stopUs: 6_000_000 },
				{ name: 'late', batch: 20, startUs: 3_000_000, stopUs: 12_000_000 },
			],
			12_000_000,
		);
		const late = permits.filter((p) => p.campaign === 'late').map((p) => p.at);
		expect(Math.min(...late)).toBeLessThan(3_000_000 + 600_000); // waits at most ~its share of the horizon
		// After "first" stopped (and its leases lapsed), "late" gets the whole rate.
		const lateAlone = late.filter((t) => t >= 9_000_000 && t < 11_000_000).length;
		expect(lateAlone).toBeGreaterThanOrEqual(78);
		expect(maxPerSecond(permits.map((p) => p.at))).toBeLessThanOrEqual(40);
	});

	it("counts a lease's permits that are not yet due", () => {
		const lease: LiveLease = { campaign: 'a', granted: 4, firstUs: 1000, intervalUs: 100, expiresUs: 5000 };
		expect([0, 1000, 1099, 1100, 1300, 9000].map((now) => permitsAhead(lease, now))).toEqual([4, 3, 3, 2, 0, 0]);
	});

	it('refuses a rate that is not positive', () => {
		expect(() => decideLease(0, [], { campaign: 'a', want: 1, ratePerSecond: 0, nowUs: 0 })).toThrow('ratePerSecond');
	});
});
