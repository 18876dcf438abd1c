// The bulk send path of the node against the stand-in: throttle, pair rate, retries, stop on 190.
import { startGraphStandIn, whatsapp, type GraphStandIn, type WhatsAppState } from '../../../sandbox';
import { runNode, SENDER, TOKEN } from './harness';

jest.setTimeout(60_000);

const textParams =
	(recipients: string[], options: Record<string, unknown> = {}) =>
	(i: number) => ({
		resource: 'message',
		operation: 'send',
		phoneNumberId: SENDER,
		to: recipients[i],
		messageType: 'text',
		textBody: `Hello ${i}`,
		sendingOptions: options,
	});
const items = (n: number) => Array.from({ length: n }, (_, i) => ({ json: { i } }));
const recipients = (n: number, prefix = '9198000') =>
	Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(5, '0')}`);

describe('bulk send against the stand-in', () => {
	let graph: GraphStandIn;
	let wa: WhatsAppState;
	const start = async (options: Parameters<typeof whatsapp>[0]) => {
		graph = await startGraphStandIn({ modules: [whatsapp(options)], validTokens: [TOKEN] });
		wa = graph.state.whatsapp as WhatsAppState;
	};
	afterEach(async () => {
		expect(graph.invalidRequests()).toEqual([]);
		await graph.close();
	});

	it('delivers every message when the limit is hit: 130429s are retried, never reach the user', async () => {
		await start({ mpsLimit: 10, pairRateWindowMs: 0 });
		const to = recipients(40);
		// Throughput set far above the number's real limit, as a user might: the stand-in answers 130429.
		const { output } = await runNode({
			baseUrl: graph.url,
			items: items(40),
			params: textParams(to, { throughput: 1000, maxRetries: 8 }),
			continueOnFail: true,
		});
		expect(wa.counters.mps429).toBeGreaterThan(0);
		expect(output.filter((o) => o.json.error)).toEqual([]);
		expect(output.map((o) => o.pairedItem)).toEqual(to.map((_, i) => ({ item: i })));
		expect(output.map((o) => (o.json.contacts as any)[0].wa_id)).toEqual(to);
		expect(new Set(wa.messages.map((m) => m.to)).size).toBe(40);
		expect(wa.messages).toHaveLength(40); // no duplicates
	});

	it('queues messages to the same recipient at the pair-rate spacing instead of failing them', async () => {
		await start({ mpsLimit: 0, pairRateWindowMs: 300 });
		const to = ['919800000001', '919800000002', '919800000001', '919800000001', '919800000003'];
		const { output } = await runNode({
			baseUrl: graph.url,
			items: items(5),
			params: textParams(to, { pairRateSeconds: 0.4 }),
		});
		expect(wa.counters.pair131056).toBe(0);
		expect(output.every((o) => typeof o.json.wamid === 'string')).toBe(true);
		const toFirst = wa.messages.filter((m) => m.to === '919800000001').map((m) => (m.body.text as any).body);
		expect(toFirst).toEqual(['Hello 0', 'Hello 2', 'Hello 3']);
	});

	it('retries 131056 after 4 s and the temporary errors 1, 2, 4, 80007, 131057, HTTP 5xx', async () => {
		await start({ mpsLimit: 0, pairRateWindowMs: 0 });
		const codes = [131056, 1, 2, 4, 80007, 131057, 131000];
		const to = recipients(codes.length + 1);
		codes.forEach((code, n) =>
			graph.inject({
				match: { route: 'whatsapp.messages', test: (r) => (r.body as any)?.to === to[n] },
				error: { code },
			}),
		);
		const { output } = await runNode({ baseUrl: graph.url, items: items(to.length), params: textParams(to) });
		expect(output.map((o) => o.json.attempts)).toEqual([...codes.map(() => 2), 1]);
		expect(output.every((o) => typeof o.json.wamid === 'string')).toBe(true);
		const pairRetry = graph.requests.filter((r) => (r.body as any)?.to === to[0]);
		expect(pairRetry[1].at - pairRetry[0].at).toBeGreaterThanOrEqual(4000);
	});

	it('retries a network error (connection cut) without sending twice', async () => {
		await start({ mpsLimit: 0, pairRateWindowMs: 0 });
		graph.inject({ match: { route: 'whatsapp.messages' }, drop: true });
		const { output } = await runNode({
			baseUrl: graph.url,
			items: items(2),
			params: textParams(['919800000001', '919800000002']),
		});
		expect(output.map((o) => typeof o.json.wamid)).toEqual(['string', 'string']);
		expect(output.map((o) => o.json.attempts).sort()).toEqual([1, 2]);
		expect(wa.messages).toHaveLength(2);
	});

	it('honours Retry-After on a 130429', async () => {
		await start({ mpsLimit: 0, pairRateWindowMs: 0 });
		graph.inject({ match: { route: 'whatsapp.messages' }, error: { code: 130429, headers: { 'Retry-After': '2' } } });
		await runNode({ baseUrl: graph.url, items: items(1), params: textParams(['919800000001']) });
		expect(graph.requests).toHaveLength(2);
		expect(graph.requests[1].at - graph.requests[0].at).toBeGreaterThanOrEqual(2000);
	});

	it('never retries permanent errors and returns each with code, details and fbtrace_id, in input order', async () => {
		await start({ mpsLimit: 0, pairRateWindowMs: 0 });
		const codes = [131047, 131026, 132000, 132001, 100, 131048, 131049, 368];
		const to = recipients(codes.length + 2);
		codes.forEach((code, n) =>
			graph.inject({
				match: { route: 'whatsapp.messages', test: (r) => (r.body as any)?.to === to[n + 1] },
				error: { code, details: `details for ${code}` },
			}),
		);
		const { output } = await runNode({
			baseUrl: graph.url,
			items: items(to.length),
			params: textParams(to),
			continueOnFail: true,
		});
		expect(output[0].json.wamid).toMatch(/^wamid/);
		expect(output[to.length - 1].json.wamid).toMatch(/^wamid/);
		codes.forEach((code, n) => {
			const json = output[n + 1].json as any;
			expect(json.attempts).toBe(1);
			expect(json.to).toBe(to[n + 1]);
			expect(json.error).toMatchObject({
				code,
				details: `details for ${code}`,
				retryable: false,
				fbtrace_id: expect.stringMatching(/^[A-Za-z0-9]+$/),
			});
			expect(json.error.message).toMatch(new RegExp(`^WhatsApp error ${code}: .+ — .+`));
		});
		expect(graph.requests).toHaveLength(to.length);
		expect((output[1].json.error as any).message).toBe(
			"WhatsApp error 131047: more than 24 h since the customer's last message — send a template instead",
		);
	});

	const deadTokenAfter = (skip: number) =>
		graph.inject({
			match: { route: 'whatsapp.messages' },
			skip,
			times: Infinity,
			error: {
				code: 190,
				subcode: 463,
				type: 'OAuthException',
				message: 'Error validating access token: Session has expired',
			},
		});

	it('on 190 (dead token) with continueOnFail, stops sending at once and says per item what was sent and what was not', async () => {
		await start({ mpsLimit: 0, pairRateWindowMs: 0 });
		deadTokenAfter(5);
		const to = recipients(30);
		const { output } = await runNode({
			baseUrl: graph.url,
			items: items(30),
			params: textParams(to, { throughput: 10, concurrency: 2 }),
			continueOnFail: true,
		});
		expect(graph.requests.length).toBeLessThan(10);
		expect(output.map((o) => o.pairedItem)).toEqual(to.map((_, i) => ({ item: i })));
		const sent = output.filter((o) => typeof o.json.wamid === 'string');
		expect(sent).toHaveLength(5);
		expect(sent.every((o) => o.json.sent === undefined && o.json.error === undefined)).toBe(true);
		expect(wa.messages.map((m) => m.to).sort()).toEqual(sent.map((o) => (o.json.contacts as any)[0].wa_id).sort());
		const notSent = output.filter((o) => o.json.wamid === undefined);
		expect(notSent).toHaveLength(25);
		expect(notSent.every((o) => o.json.sent === false)).toBe(true);
		const refused = notSent.filter((o) => (o.json.error as any).code === 190);
		// Every request after the fifth was refused with 190; the rest were never attempted.
		expect(refused).toHaveLength(graph.requests.length - 5);
		for (const o of refused) {
			expect(o.json.to).toBe(to[(o.pairedItem as any).item]);
			expect(o.json.error).toMatchObject({ subcode: 463, fbtrace_id: expect.stringMatching(/^[A-Za-z0-9]+$/) });
			expect((o.json.error as any).message).toMatch(/^WhatsApp error 190 \(subcode 463\): access token expired/);
		}
		for (const o of notSent.filter((o) => (o.json.error as any).code !== 190))
			expect((o.json.error as any).message).toBe(
				'Not sent: the run stopped before this message (WhatsApp refused the access token)',
			);
	});

	it('stopping the execution stops the campaign: nothing is sent after it, every other item says it was not sent', async () => {
		await start({ mpsLimit: 0, pairRateWindowMs: 0 });
		const stop = new AbortController();
		const to = recipients(40);
		const running = runNode({
			baseUrl: graph.url,
			items: items(40),
			params: textParams(to, { throughput: 20, concurrency: 2 }),
			cancelSignal: stop.signal,
		});
		while (wa.messages.length < 5) await new Promise((resolve) => setTimeout(resolve, 5));
		stop.abort();
		const requestsAtStop = graph.requests.length;
		const { output } = await running;
		// At most the two already in flight reach Meta after the stop.
		expect(graph.requests.length).toBeLessThanOrEqual(requestsAtStop + 2);
		expect(graph.requests.length).toBeLessThan(10);
		const sent = output.filter((o) => typeof o.json.wamid === 'string');
		expect(sent).toHaveLength(wa.messages.length);
		const notSent = output.filter((o) => o.json.wamid === undefined);
		expect(notSent).toHaveLength(40 - wa.messages.length);
		for (const o of notSent)
			expect(o.json).toMatchObject({
				sent: false,
				error: { message: 'Not sent: the run stopped before this message (the execution was stopped)' },
			});
	});

	it('on 190 (dead token) without continueOnFail, stops the run and says how many went out', async () => {
		await start({ mpsLimit: 0, pairRateWindowMs: 0 });
		deadTokenAfter(5);
		const to = recipients(30);
		const error = await runNode({
			baseUrl: graph.url,
			items: items(30),
			params: textParams(to, { throughput: 10, concurrency: 2 }),
		}).catch((e) => e);
		expect(error.message).toMatch(
			/^WhatsApp error 190 \(subcode 463\): access token expired or invalid — create a new access token/,
		);
		expect(error.description).toMatch(/5 of 30 messages were sent before the run stopped/);
		expect(graph.requests.length).toBeLessThan(10);
	});

	it('without continueOnFail, the first permanent error stops sending and names the count sent', async () => {
		await start({ mpsLimit: 0, pairRateWindowMs: 0 });
		const to = recipients(20);
		graph.inject({
			match: { route: 'whatsapp.messages', test: (r) => (r.body as any)?.to === to[2] },
			error: { code: 131026 },
		});
		const error = await runNode({
			baseUrl: graph.url,
			items: items(20),
			params: textParams(to, { throughput: 5, concurrency: 1 }),
		}).catch((e) => e);
		expect(error.message).toMatch(/^WhatsApp error 131026: message undeliverable/);
		expect(error.description).toMatch(/2 of 20 messages were sent before the run stopped \(item 2 failed\)/);
		expect(wa.messages).toHaveLength(2);
	});
});

describe('bulk send of a long list', () => {
	it('lets the event loop turn while it builds the messages (a queue-mode worker must renew its job lock meanwhile)', async () => {
		const n = 500;
		let built = -1;
		let builtWhenTimerRan: number | undefined;
		let armed = false;
		const { output } = await runNode({
			baseUrl: 'http://127.0.0.1:9',
			items: items(n),
			params: (i) => {
				if (!armed) {
					armed = true;
					// A timer set when the first item is read (what the worker's lock renewal is).
					setTimeout(() => (builtWhenTimerRan = built), 0);
				}
				built = Math.max(built, i);
				// Not a phone number: refused while building, nothing is sent.
				return textParams(recipients(n, 'x'))(i);
			},
			continueOnFail: true,
		});
		expect(output).toHaveLength(n);
		expect(output.every((o) => o.json.sent === false)).toBe(true);
		expect(builtWhenTimerRan).toBeDefined();
		expect(builtWhenTimerRan as number).toBeLessThan(n - 1);
	});
});
