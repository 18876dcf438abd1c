// The shared send budget of the bulk send. On a virtual clock: two runs ("two n8n workers") sending
// from one number through a fake service that decides leases with the service's own maths, and a
// simulated Meta counting arrivals; the fallback when the service cannot be asked. Then the node
// against the real service and the Graph API stand-in.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IDataObject } from 'n8n-workflow';
import { decideLease, type LiveLease } from '../../../service/src/core/send-budget';
import { runBulk, type BulkJob, type Clock } from '../../../nodes/WhatsApp/shared/bulkScheduler';
import { SharedBudget, serviceNowOf, type BudgetService } from '../../../nodes/WhatsApp/shared/sharedBudget';
import { TiltedPromptsApi } from '../../../credentials/TiltedPromptsApi.credentials';
import { WhatsAppCloudApi } from '../../../credentials/WhatsAppCloudApi.credentials';
import { WhatsApp } from '../../../nodes/WhatsApp/WhatsApp.node';
import { runNode } from '../../helpers/n8n';
import { maxInAnyWindow } from '../../helpers/windows';
import { startGraphStandIn, whatsapp, type GraphStandIn, type WhatsAppState } from '../../../sandbox';
import { startRealService, type RunningService } from '../tiltedprompts/support/service';
import { credentials, SENDER, TOKEN } from './harness';

jest.setTimeout(60_000);

/** A discrete-event clock: timers fire in time order once every task has settled. */
function eventClock(): Clock & { drive(until: () => boolean): Promise<void> } {
	let now = 0;
	const timers: Array<{ at: number; wake: () => void }> = [];
	const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
	return {
		now: () => now,
		sleep: (ms: number) => new Promise<void>((wake) => timers.push({ at: now + Math.max(0, ms), wake })),
		async drive(done: () => boolean) {
			for (;;) {
				await settle();
				if (done() || timers.length === 0) return;
				timers.sort((a, b) => a.at - b.at);
				const next = timers.shift()!;
				now = Math.max(now, next.at);
				next.wake();
			}
		},
	};
}

/**
 * The service's budget, in memory, with the service's lease maths (core/send-budget.ts); a request
 * takes `latencyMs`, or `uplinkMs(n)` to reach the service and nothing back (the n-th lease); with
 * `serverTime` the answer carries the service's clock as the service does.
 */
function fakeService(
	clock: Clock,
	latencyMs = 2,
	link: { uplinkMs?: (n: number) => number; serverTime?: boolean } = {},
) {
	let tatUs = 0;
	const leases: LiveLease[] = [];
	const pairs = new Map<string, number>();
	const calls = { lease: 0, pairs: 0 };
	const service: BudgetService = {
		async lease(_phone, body) {
			calls.lease++;
			const uplink = link.uplinkMs?.(calls.lease);
			await clock.sleep(uplink ?? latencyMs / 2);
			const nowUs = clock.now() * 1000;
			const d = decideLease(tatUs, leases, {
				campaign: body.campaign,
				want: body.want,
				ratePerSecond: body.rate_per_second,
				nowUs,
			});
			if (d.granted > 0) {
				tatUs = d.nextTatUs;
				leases.push({
					campaign: body.campaign,
					granted: d.granted,
					firstUs: d.firstUs,
					intervalUs: d.intervalUs,
					expiresUs: d.expiresUs,
				});
			}
			if (uplink === undefined) await clock.sleep(latencyMs / 2);
			return {
				...(link.serverTime ? { server_time: new Date(Math.floor(nowUs / 1000)).toISOString() } : {}),
				granted: d.granted,
				wait_ms: (d.firstUs - nowUs) / 1000,
				interval_ms: d.intervalUs / 1000,
				expires_in_ms: (d.expiresUs - nowUs) / 1000,
				retry_after_ms: d.retryAfterUs / 1000,
			};
		},
		async pairs(_phone, body) {
			calls.pairs++;
			const now = clock.now();
			const spacing = body.spacing_seconds * 1000;
			const data = body.recipients.map((r) => {
				const at = Math.max(now, (pairs.get(r) ?? -Infinity) + spacing);
				pairs.set(r, at);
				return { wait_ms: at - now };
			});
			return { data };
		},
	};
	return { service, calls };
}

/** Meta's side: when each send arrived, per recipient too. */
function meta(clock: Clock) {
	const arrivals: Array<{ at: number; to: string; run: string }> = [];
	return {
		arrivals,
		attempt: (run: string, to: (job: BulkJob) => string) => async (job: BulkJob) => {
			arrivals.push({ at: clock.now(), to: to(job), run });
			return { ok: true as const, value: 'wamid' };
		},
	};
}

const maxInAnySecond = (times: number[]) => maxInAnyWindow(times, 1000);

const PHONE = '106540352242922';
/** `n` jobs; `people` recipients in turn (each gets n / people messages). */
const jobsFor = (n: number, prefix: string, people = n): BulkJob[] =>
	Array.from({ length: n }, (_, i) => ({ index: i, recipient: `${PHONE}:${prefix}${i % people}` }));
const addressOf = (job: BulkJob) => ({ phoneNumberId: PHONE, to: job.recipient.split(':')[1] });

/** Two runs of `n` messages each from one number, started together, with or without the shared budget. */
async function twoRuns(n: number, shared: boolean, service?: BudgetService, sameRecipients = false) {
	const clock = eventClock();
	const fake = service ? { service, calls: { lease: 0, pairs: 0 } } : fakeService(clock);
	const seen = meta(clock);
	const budgets: SharedBudget[] = [];
	const run = (name: string) => {
		const budget = new SharedBudget({
			service: fake.service,
			clock,
			ratePerSecond: 80,
			pairSpacingMs: 6000,
			campaign: name,
			addressOf,
		});
		budgets.push(budget);
		const jobs = sameRecipients ? jobsFor(n, 'p', 150) : jobsFor(n, name);
		return runBulk(
			jobs,
			seen.attempt(name, (job) => job.recipient),
			{ ratePerSecond: 80, pairSpacingMs: 6000, maxRetries: 0, clock, shared: shared ? budget : undefined },
		);
	};
	let finished = 0;
	const runs = [run('A'), run('B')].map((p) => p.finally(() => finished++));
	await clock.drive(() => finished === 2);
	const results = await Promise.all(runs);
	return { results, arrivals: seen.arrivals, calls: fake.calls, budgets, clock };
}

describe('shared send budget (virtual clock, fake service)', () => {
	it('two runs from one number: alone each paces at 80/s (160 at Meta); sharing the budget keeps Meta at ≤ 80 in every second, split fairly', async () => {
		const alone = await twoRuns(400, false);
		expect(maxInAnySecond(alone.arrivals.map((a) => a.at))).toBeGreaterThan(150);

		const shared = await twoRuns(400, true);
		expect(shared.results.every((r) => r.results.every((x) => x.status === 'sent'))).toBe(true);
		expect(maxInAnySecond(shared.arrivals.map((a) => a.at))).toBeLessThanOrEqual(80);
		// Fair: in the first 4 s (both busy), neither run got less than 40 % of the sends.
		const early = shared.arrivals.filter((a) => a.at < 4000);
		const a = early.filter((x) => x.run === 'A').length;
		expect(Math.min(a, early.length - a) / early.length).toBeGreaterThanOrEqual(0.4);
		// And the number's rate is used: 800 messages in about 10 s, leased in batches (not one request per message).
		expect(shared.clock.now()).toBeLessThan(11_500);
		expect(shared.calls.lease).toBeLessThan(800 / 5);
		expect(shared.budgets.map((b) => b.status.shared)).toEqual([true, true]);
		console.log(
			`two runs of 400 from one number at 80/s: alone max ${maxInAnySecond(alone.arrivals.map((x) => x.at))}/s at Meta; shared max ${maxInAnySecond(shared.arrivals.map((x) => x.at))}/s, first 4 s A ${a} / B ${early.length - a}, done at ${Math.round(shared.clock.now())} ms, ${shared.calls.lease} leases`,
		);
	});

	it('two runs messaging the same people keep 6 s between messages to each person, across both runs', async () => {
		const { arrivals, calls } = await twoRuns(300, true, undefined, true);
		const byPerson = new Map<string, number[]>();
		for (const a of arrivals) byPerson.set(a.to, [...(byPerson.get(a.to) ?? []), a.at]);
		for (const times of byPerson.values())
			for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(6000 - 1);
		expect(calls.pairs).toBeLessThanOrEqual(600 / 10); // batched, not one request per message
	});

	/** Gaps (ms) between consecutive messages to the same person, across runs. */
	const gapsPerPerson = (arrivals: Array<{ at: number; to: string }>) => {
		const byPerson = new Map<string, number[]>();
		for (const a of arrivals) byPerson.set(a.to, [...(byPerson.get(a.to) ?? []), a.at]);
		return [...byPerson.values()].flatMap((times) => times.slice(1).map((t, i) => t - times[i]));
	};

	it('keeps 6 s per person when one run stalls now and then: every 5th of its timers fires 2 s late (a busy n8n worker)', async () => {
		const clock = eventClock();
		const { service } = fakeService(clock);
		const seen = meta(clock);
		let timers = 0;
		const lagging: Clock = { now: clock.now, sleep: (ms) => clock.sleep(ms + (++timers % 5 === 0 ? 2000 : 0)) };
		const run = (name: string, runClock: Clock) =>
			runBulk(
				jobsFor(200, 'p', 100),
				seen.attempt(name, (job) => job.recipient),
				{
					ratePerSecond: 80,
					pairSpacingMs: 6000,
					maxRetries: 0,
					clock: runClock,
					shared: new SharedBudget({
						service,
						clock: runClock,
						ratePerSecond: 80,
						pairSpacingMs: 6000,
						campaign: name,
						addressOf,
					}),
				},
			);
		let finished = 0;
		const runs = [run('A', clock), run('B', lagging)].map((p) => p.finally(() => finished++));
		await clock.drive(() => finished === 2);
		const results = await Promise.all(runs);
		expect(results.flatMap((r) => r.results.map((x) => x.status)).every((s) => s === 'sent')).toBe(true);
		expect(seen.arrivals).toHaveLength(400);
		expect(Math.min(...gapsPerPerson(seen.arrivals))).toBeGreaterThanOrEqual(6000);
	});

	/** Two runs of 600 messages from one number at 80/s on `runClock`; Meta's arrival times. */
	const twoLongRuns = async (
		clock: ReturnType<typeof eventClock>,
		runClock: Clock,
		service: BudgetService,
		pairSpacingMs: number,
	) => {
		const seen = meta(clock);
		const run = (name: string) =>
			runBulk(
				jobsFor(600, name),
				seen.attempt(name, (job) => job.recipient),
				{
					ratePerSecond: 80,
					pairSpacingMs,
					maxRetries: 0,
					clock: runClock,
					shared: new SharedBudget({
						service,
						clock: runClock,
						ratePerSecond: 80,
						pairSpacingMs,
						campaign: name,
						addressOf,
					}),
				},
			);
		let finished = 0;
		const runs = [run('A'), run('B')].map((p) => p.finally(() => finished++));
		await clock.drive(() => finished === 2);
		await Promise.all(runs);
		return seen.arrivals.map((x) => x.at);
	};

	it('timers firing up to 20 ms late (a loaded machine) still keep Meta at ≤ 80 in every second', async () => {
		const clock = eventClock();
		const { service } = fakeService(clock);
		let timers = 0;
		const late: Clock = { now: clock.now, sleep: (ms) => clock.sleep(ms + ((++timers * 7) % 21)) };
		const arrivals = await twoLongRuns(clock, late, service, 6000);
		expect(arrivals).toHaveLength(1200);
		expect(maxInAnySecond(arrivals)).toBeLessThanOrEqual(80);
	});

	it('lease answers delayed by a different amount each time (0–150 ms on the way in) still keep Meta at ≤ 80 in every second', async () => {
		const clock = eventClock();
		// A loaded service or network: every second lease waits 150 ms before the service sees it.
		const { service } = fakeService(clock, 2, { uplinkMs: (n) => (n % 2 === 0 ? 150 : 0), serverTime: true });
		const arrivals = await twoLongRuns(clock, clock, service, 0);
		expect(arrivals).toHaveLength(1200);
		expect(maxInAnySecond(arrivals)).toBeLessThanOrEqual(80);
	});

	it('reads a lease on the service’s clock when it agrees with ours, so a slow request does not move the permits early', () => {
		const iso = (ms: number) => new Date(ms).toISOString();
		// Asked at 1,000, answered at 1,150; the service decided at 1,140 (the request waited on the way in).
		expect(serviceNowOf(1000, 1150, iso(1140))).toBe(1141);
		// Half-way (1,075) would put every permit 65 ms early; without server_time that is all there is.
		expect(serviceNowOf(1000, 1150)).toBe(1075);
		// A service clock 5 s off ours cannot be used: half-way again.
		expect(serviceNowOf(1000, 1150, iso(6140))).toBe(1075);
		expect(serviceNowOf(1000, 1150, 'not a time')).toBe(1075);
	});

	it('a retry long after its pair slot (Retry-After 5 s) reserves a new one: the other run’s message to that person stays 6 s away', async () => {
		const clock = eventClock();
		const { service } = fakeService(clock);
		const arrivals: Array<{ at: number; to: string; run: string }> = [];
		let refused = false;
		const budget = (name: string) =>
			new SharedBudget({ service, clock, ratePerSecond: 80, pairSpacingMs: 6000, campaign: name, addressOf });
		const options = { ratePerSecond: 80, pairSpacingMs: 6000, maxRetries: 2, clock };
		// A: one message to p0, refused once for throughput with Retry-After 5 s (Meta's answer to a burst).
		const a = runBulk(
			jobsFor(1, 'p'),
			async (job) => {
				if (!refused) {
					refused = true;
					return {
						ok: false as const,
						error: '130429',
						retryable: true,
						kind: 'throttle' as const,
						retryAfterMs: 5000,
					};
				}
				arrivals.push({ at: clock.now(), to: job.recipient, run: 'A' });
				return { ok: true as const, value: 'wamid' };
			},
			{ ...options, shared: budget('A') },
		);
		// B: starts a second later with a message to the same person.
		const b = clock.sleep(1000).then(() =>
			runBulk(
				jobsFor(1, 'p'),
				async (job) => {
					arrivals.push({ at: clock.now(), to: job.recipient, run: 'B' });
					return { ok: true as const, value: 'wamid' };
				},
				{ ...options, shared: budget('B') },
			),
		);
		let finished = 0;
		[a, b].forEach((p) => void p.finally(() => finished++));
		await clock.drive(() => finished === 2);
		expect(arrivals.map((x) => x.run).sort()).toEqual(['A', 'B']);
		expect(Math.abs(arrivals[1].at - arrivals[0].at)).toBeGreaterThanOrEqual(6000);
	});

	it('falls back to local pacing at half the rate when the service cannot be asked, says so, never unthrottled', async () => {
		const failing: BudgetService = {
			lease: async () => {
				throw new Error('connect ECONNREFUSED 127.0.0.1:3000');
			},
			pairs: async () => {
				throw new Error('connect ECONNREFUSED 127.0.0.1:3000');
			},
		};
		const { results, arrivals, budgets } = await twoRuns(200, true, failing);
		expect(results.every((r) => r.results.every((x) => x.status === 'sent'))).toBe(true);
		// Each run at ≤ 40/s: together within the number's 80.
		expect(maxInAnySecond(arrivals.filter((a) => a.run === 'A').map((a) => a.at))).toBeLessThanOrEqual(40);
		expect(maxInAnySecond(arrivals.map((a) => a.at))).toBeLessThanOrEqual(80);
		expect(budgets[0].status).toEqual({
			shared: false,
			ratePerSecond: 80,
			fallback: { reason: expect.stringContaining('ECONNREFUSED'), ratePerSecond: 40 },
		});
		expect(budgets[0].status.fallback?.reason).toContain('paced itself locally at 40 msg/s');
	});
});

describe('shared send budget: the node against the real service', () => {
	let service: RunningService;
	let graph: GraphStandIn;

	beforeAll(async () => {
		service = await startRealService();
		graph = await startGraphStandIn({
			modules: [whatsapp({ mpsLimit: 20, pairRateWindowMs: 0 })],
			validTokens: [TOKEN],
		});
	});
	afterAll(async () => {
		await graph?.close();
		await service?.close();
	});

	const run = (serviceCredential: IDataObject, n: number) =>
		runNode({
			nodeType: new WhatsApp(),
			items: Array.from({ length: n }, (_, i) => ({ json: { i } })),
			params: (i: number) => ({
				resource: 'message',
				operation: 'send',
				phoneNumberId: SENDER,
				to: `91980000${String(i).padStart(4, '0')}`,
				messageType: 'text',
				textBody: `Hello ${i}`,
				sendingOptions: { throughput: 20, sharedBudget: true },
			}),
			credentials: { whatsAppCloudApi: credentials(graph.url), tiltedPromptsApi: serviceCredential },
			credentialTypes: [new WhatsAppCloudApi(), new TiltedPromptsApi()],
			continueOnFail: true,
		});

	it('takes its permits from the service: every message sent, each output item says the budget was shared', async () => {
		const key = await service.keyFor('pro', ['send-budget']);
		const { output } = await run({ baseUrl: service.url, apiKey: key }, 30);
		expect(output.map((o) => typeof o.json.wamid)).toEqual(Array(30).fill('string'));
		expect(output[0].json.sendBudget).toEqual({ shared: true, ratePerSecond: 20, fallback: null });
		const leased = await service.db.pool.query<{ n: number }>(
			'SELECT coalesce(sum(granted), 0)::int AS n FROM send_budget_leases',
		);
		expect(leased.rows[0].n).toBeGreaterThanOrEqual(30);
		const pairs = await service.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM send_pair_slots');
		expect(pairs.rows[0].n).toBe(30);
	});

	it('with a key lacking the send-budget scope: sends at half the rate and says why', async () => {
		const key = await service.keyFor('pro', ['contacts']);
		const { output, messages } = await run({ baseUrl: service.url, apiKey: key }, 4);
		expect(output.map((o) => typeof o.json.wamid)).toEqual(Array(4).fill('string'));
		const status = output[0].json.sendBudget as {
			shared: boolean;
			fallback: { reason: string; ratePerSecond: number };
		};
		expect(status.shared).toBe(false);
		expect(status.fallback.ratePerSecond).toBe(10);
		expect(status.fallback.reason).toContain('insufficient_scope');
		expect(messages.some((m) => m.includes('paced itself locally'))).toBe(true);
	});

	it('with the option on but no TiltedPrompts API credential: a clear error before anything is sent', async () => {
		const before = (graph.state.whatsapp as WhatsAppState).messages.length;
		await expect(
			runNode({
				nodeType: new WhatsApp(),
				params: {
					resource: 'message',
					operation: 'send',
					phoneNumberId: SENDER,
					to: '919800000001',
					messageType: 'text',
					textBody: 'Hi',
					sendingOptions: { sharedBudget: true },
				},
				credentials: { whatsAppCloudApi: credentials(graph.url) },
				credentialTypes: [new WhatsAppCloudApi()],
			}),
		).rejects.toThrow('Shared Send Budget needs a TiltedPrompts API credential');
		expect((graph.state.whatsapp as WhatsAppState).messages.length).toBe(before);
	});

	it('a service that accepts the connection but never answers counts as unreachable after 5 s: the run falls back', async () => {
		const silent = createServer(() => undefined); // reads the request, never answers
		await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
		try {
			const key = await service.keyFor('pro', ['send-budget']);
			const { output } = await run(
				{ baseUrl: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`, apiKey: key },
				2,
			);
			expect(output.map((o) => typeof o.json.wamid)).toEqual(['string', 'string']);
			expect((output[0].json.sendBudget as { shared: boolean }).shared).toBe(false);
		} finally {
			silent.closeAllConnections();
			await new Promise((resolve) => silent.close(resolve));
		}
	});
});
