// `npm run bench:scale`: n8n in queue mode (Redis + main + webhook processor + 2 workers,
// scripts/lib/queue-stack.js) with our packed package, the TiltedPrompts service as its own process,
// the Graph API stand-in (sandbox/) on loopback, one embedded Postgres for both databases.
//
// Outbound: two campaigns of BENCH_ITEMS template messages each (default 5,000) from the same phone
// number, limit 80 msg/s, started together (a second apart) on two workers (each execution's worker comes
// from that worker's own log: stack.workerOf). Half of campaign B's audience is campaign A's, in the
// same order, so both campaigns reach the same person at about the same time (the pair rate matters).
// Run twice in the same bench: with the WhatsApp node's Shared Send Budget (permits and pair slots
// leased from the service) and without it (each execution paces itself, as a single n8n would).
// Counted at the stand-in, which enforces Meta's limits (80 msg/s sliding window → 130429; one
// message per 6 s per person → 131056):
//   max_requests_in_1s  most send requests arriving in any 1 s window (what Meta would count);
//   max_accepted_in_1s  most messages accepted in any 1 s window (≤ 80 by the stand-in's refusal);
//   sent_per_s          accepted messages of both campaigns ÷ (last accepted − first request);
//   count_130429        requests refused for throughput; user_saw_130429: output items (what the
//                       user sees, continueOnFail) whose error is 130429 after every retry;
//   duplicates          a campaign's message accepted twice for one person;
//   pair_rate_violations requests to a person within 6 s of an accepted message to them (each
//                       refused with 131056), plus accepted pairs closer than 6 s (0 by refusal).
// Inbound: signed Meta webhooks → service → fan-out (Standard Webhooks) → webhook processor →
// TiltedPrompts Trigger executions on the workers, executions/s with 2 workers, then with 1
// (the second worker stopped). Counted in n8n's database (successful executions, last stoppedAt).
//
// Env: BENCH_ITEMS (5000 per campaign), BENCH_LIMIT (80), BENCH_LATENCY_MS (100),
// BENCH_INBOUND_EVENTS (300 per worker count), BENCH_INBOUND_CONNECTIONS (16), BENCH_MODES
// ("shared,local"), BENCH_LOCAL_MAX_S (360: the local-pacing run is stopped then and reported as
// counted so far, with finished: false), BENCH_WORKER_CONCURRENCY (each worker's --concurrency, 10). The machine is shared and noisy: the load average is
// printed with the figures.
// Progress goes to stderr; the last stdout line is one JSON object of figures.
import { spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ownerSession } from '../service/bench/n8n-reference.mjs';
import { SERVICE_MAIN, benchServiceEnv, serviceCli } from '../service/bench/service-env.mjs';

const require = createRequire(import.meta.url);
const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..');
const ITEMS = Number(process.env.BENCH_ITEMS ?? 5000);
const LIMIT = Number(process.env.BENCH_LIMIT ?? 80);
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 100);
const INBOUND_EVENTS = Number(process.env.BENCH_INBOUND_EVENTS ?? 300);
const INBOUND_CONNECTIONS = Number(process.env.BENCH_INBOUND_CONNECTIONS ?? 16);
const LOCAL_MAX_S = Number(process.env.BENCH_LOCAL_MAX_S ?? 360);
const MODES = (process.env.BENCH_MODES ?? 'shared,local').split(',');
// Each worker's --concurrency (default: the compose file's 10).
const WORKER_CONCURRENCY = process.env.BENCH_WORKER_CONCURRENCY
	? Number(process.env.BENCH_WORKER_CONCURRENCY)
	: undefined;
const PAIR_WINDOW_MS = 6000;
const TOKEN = `bench-${randomBytes(8).toString('hex')}`;
const WABA = '102290129340398';
const PHONE = '106540352242922';
const IMAGE = 'https://cdn.example.com/posts/diwali.jpg';
const CAMPAIGNS = ['A', 'B'];

const log = (msg) => process.stderr.write(`[bench:scale] ${msg}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const round = (x, digits = 1) =>
	x === null || x === undefined || !Number.isFinite(x) ? null : Math.round(x * 10 ** digits) / 10 ** digits;
const load = () => loadavg().map((x) => round(x, 2));

/** Most events of `times` (ms) in any window (t − windowMs, t], the stand-in's own window. */
function maxInWindow(times, windowMs = 1000) {
	const sorted = [...times].sort((a, b) => a - b);
	let best = 0;
	let from = 0;
	for (let i = 0; i < sorted.length; i++) {
		while (sorted[from] <= sorted[i] - windowMs) from++;
		best = Math.max(best, i - from + 1);
	}
	return best;
}

/** POST JSON without client timeouts. */
function post(url, body, headers = {}) {
	return new Promise((resolve, reject) => {
		const data = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
		const req = httpRequest(
			url,
			{ method: 'POST', headers: { 'content-type': 'application/json', 'content-length': data.length, ...headers } },
			(res) => {
				const chunks = [];
				res.on('data', (c) => chunks.push(c));
				res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
			},
		);
		req.on('error', reject);
		req.end(data);
	});
}

async function startService(databaseUrl) {
	const { freePort } = require(join(ROOT, 'service', 'dist', 'db', 'embedded.js'));
	const port = await freePort();
	const appSecret = randomBytes(16).toString('hex');
	const env = benchServiceEnv(
		{ port, databaseUrl, appSecret },
		{
			// n8n's webhook processor takes a few deliveries at a time on this machine: more in flight only
			// time out. A delivery that fails is retried within seconds, so the phase measures throughput.
			FANOUT_CONCURRENCY: process.env.BENCH_FANOUT_CONCURRENCY ?? '8',
			FANOUT_REQUEST_TIMEOUT: '60s',
			FANOUT_RETRY_SCHEDULE: '0,1s,2s,5s,10s,20s,30s,60s',
		},
	);
	serviceCli(env, ['users', 'create', '--email', 'bench@example.com', '--tier', 'pro']);
	const apiKey = serviceCli(env, ['keys', 'create', '--user', 'bench@example.com', '--scopes', 'send-budget,events']);
	const child = spawn(process.execPath, [SERVICE_MAIN], { env, stdio: ['ignore', 'ignore', 'inherit'] });
	const url = `http://127.0.0.1:${port}`;
	for (let i = 0; ; i++) {
		try {
			if ((await fetch(`${url}/readyz`)).ok) break;
		} catch {
			// not yet
		}
		if (child.exitCode !== null || i > 600) throw new Error('the service did not become ready');
		await sleep(100);
	}
	return {
		url,
		apiKey,
		child,
		/** POSTs a Meta webhook signed with the app secret, as Meta sends it. */
		postMeta: (raw) =>
			post(`${url}/webhooks/meta`, Buffer.from(raw), {
				'x-hub-signature-256': `sha256=${createHmac('sha256', appSecret).update(raw).digest('hex')}`,
			}),
		async stop() {
			if (child.exitCode !== null) return;
			child.kill('SIGTERM');
			await new Promise((resolve) => child.once('exit', resolve));
		},
	};
}

function campaignWorkflow(mode, campaign, credentials) {
	const shared = mode === 'shared';
	const key = `${mode}-${campaign.toLowerCase()}`;
	const serial = ['shared-a', 'shared-b', 'local-a', 'local-b'].indexOf(key) + 1;
	const id = (n) => `5ca1e000-0000-4000-8000-${serial}0000000000${n}`;
	return {
		name: `Scale bench: campaign ${campaign} (${shared ? 'shared send budget' : 'local pacing'})`,
		nodes: [
			{
				parameters: { httpMethod: 'POST', path: `scale-${key}`, responseMode: 'onReceived', options: {} },
				id: id(1),
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: id(9),
			},
			{
				parameters: { fieldToSplitOut: 'body.recipients', options: {} },
				id: id(2),
				name: 'Split Out',
				type: 'n8n-nodes-base.splitOut',
				typeVersion: 1,
				position: [220, 0],
			},
			{
				parameters: {
					resource: 'message',
					operation: 'sendTemplate',
					phoneNumberId: { __rl: true, mode: 'id', value: PHONE },
					to: '={{ $json.to }}',
					template: { __rl: true, mode: 'name', value: 'new_post_image' },
					languageCode: 'en',
					headerType: 'image',
					headerMediaSource: 'link',
					headerMediaLink: IMAGE,
					bodyParameters: {
						parameter: [{ text: '={{ $json.name }}' }, { text: `Offer ${campaign}` }, { text: '₹199' }],
					},
					buttonParameters: { button: [{ index: 0, subType: 'url', value: 'masala-chai' }] },
					sendingOptions: { throughput: LIMIT, ...(shared ? { sharedBudget: true } : {}) },
				},
				id: id(3),
				name: 'WhatsApp',
				type: 'n8n-nodes-tiltedprompts.whatsApp',
				typeVersion: 1,
				position: [440, 0],
				// What a user sees per item: the message, or its error after every retry.
				onError: 'continueRegularOutput',
				credentials: shared
					? { whatsAppCloudApi: credentials.whatsApp, tiltedPromptsApi: credentials.service }
					: { whatsAppCloudApi: credentials.whatsApp },
			},
		],
		connections: {
			Webhook: { main: [[{ node: 'Split Out', type: 'main', index: 0 }]] },
			'Split Out': { main: [[{ node: 'WhatsApp', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}

function inboundWorkflow(credentials) {
	return {
		name: 'Scale bench: inbound WhatsApp messages',
		nodes: [
			{
				parameters: { events: ['whatsapp.message'] },
				id: '5ca1e000-0000-4000-8000-500000000001',
				name: 'TiltedPrompts Trigger',
				type: 'n8n-nodes-tiltedprompts.tiltedPromptsTrigger',
				typeVersion: 1,
				position: [0, 0],
				webhookId: '5ca1e000-0000-4000-8000-500000000009',
				credentials: { tiltedPromptsApi: credentials.service },
			},
			{
				parameters: {},
				id: '5ca1e000-0000-4000-8000-500000000002',
				name: 'Handled',
				type: 'n8n-nodes-base.noOp',
				typeVersion: 1,
				position: [220, 0],
			},
		],
		connections: { 'TiltedPrompts Trigger': { main: [[{ node: 'Handled', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}

/** The audiences: A = people 0…n−1; B = A's first half (same order), then n new people. */
function audiences(offset) {
	const person = (i) => ({ to: `91${7000000000 + offset + i}`, name: `Customer ${i}` });
	const a = Array.from({ length: ITEMS }, (_, i) => person(i));
	const half = Math.floor(ITEMS / 2);
	const b = [...a.slice(0, half), ...Array.from({ length: ITEMS - half }, (_, i) => person(ITEMS + i))];
	return { A: a, B: b };
}

async function publish(rest, workflow) {
	const created = await rest('POST', '/workflows', workflow);
	await rest('POST', `/workflows/${created.id}/activate`, { versionId: created.versionId });
	return created.id;
}

/** POSTs a campaign's recipients to its webhook (activation registers it asynchronously: retry 404s). */
async function startCampaign(url, recipients) {
	for (let attempt = 0; ; attempt++) {
		const response = await post(url, { recipients });
		if (response.status === 200) return;
		if (response.status !== 404 || attempt > 60) throw new Error(`${url}: ${response.status} ${response.text}`);
		await sleep(1000);
	}
}

/** n8n's statuses of an execution that has not ended. */
const UNFINISHED = ['running', 'new', 'waiting'];

/** The workflow's latest execution once finished, or (at the deadline) as it is then. */
async function settledExecution(rest, workflowId, deadline) {
	for (;;) {
		const filter = encodeURIComponent(JSON.stringify({ workflowId }));
		const list = await rest('GET', `/executions?filter=${filter}&limit=5`);
		const execution = (list.results ?? [])[0];
		const finished = execution && !UNFINISHED.includes(execution.status);
		if (finished || (execution && Date.now() > deadline)) return { ...execution, finished };
		if (Date.now() > deadline + 120_000) throw new Error(`workflow ${workflowId}: no execution started`);
		await sleep(2000);
	}
}

/** Waits (until `deadline`) for a stopped execution to be listed as no longer running. */
async function endedExecution(rest, executionId, deadline) {
	while (Date.now() < deadline) {
		const execution = await rest('GET', `/executions/${executionId}`).catch(() => undefined);
		if (execution && !UNFINISHED.includes(execution.status)) return execution;
		await sleep(250);
	}
	log(`execution ${executionId} still running 60 s after it was stopped`);
	return undefined;
}

/** The WhatsApp node's output items of a finished execution (run data is stored in flatted form). */
async function outputOf(rest, executionId) {
	const { parse } = require('flatted');
	const execution = await rest('GET', `/executions/${executionId}`);
	const data = typeof execution.data === 'string' ? parse(execution.data) : execution.data;
	const run = data?.resultData?.runData?.WhatsApp?.[0];
	return (run?.data?.main?.[0] ?? []).map((item) => item.json);
}

/** Figures of one outbound run, counted at the stand-in and in the executions' output. */
function outboundFigures(graph, outputs, executions, wallS) {
	// A MARKETING template goes to /marketing_messages (Meta's Marketing Messages API), others to /messages.
	const sends = graph.requests.filter(
		(r) => r.route === 'whatsapp.marketing_messages' || r.route === 'whatsapp.messages',
	);
	const accepted = graph.state.whatsapp.messages;
	const codeCount = (code) => sends.filter((r) => r.response?.error?.code === code).length;
	const campaignOf = (m) => String(m.body.template?.components?.[1]?.parameters?.[1]?.text ?? '').replace('Offer ', '');
	const seen = new Map();
	for (const m of accepted) seen.set(`${campaignOf(m)}:${m.to}`, (seen.get(`${campaignOf(m)}:${m.to}`) ?? 0) + 1);
	const lastAt = new Map();
	let acceptedTooClose = 0;
	for (const m of [...accepted].sort((x, y) => x.at - y.at)) {
		if (lastAt.has(m.to) && m.at - lastAt.get(m.to) < PAIR_WINDOW_MS) acceptedTooClose++;
		lastAt.set(m.to, m.at);
	}
	const first = sends.length ? Math.min(...sends.map((r) => r.at)) : 0;
	const last = accepted.length ? Math.max(...accepted.map((m) => m.at)) : first;
	const items = outputs.flat();
	const perCampaign = Object.fromEntries(
		CAMPAIGNS.map((c) => {
			const mine = accepted.filter((m) => campaignOf(m) === c);
			const t = mine.map((m) => m.at);
			const span = t.length > 1 ? Math.max(...t) - Math.min(...t) : 0;
			return [c, { sent: mine.length, sent_per_s: round(span ? (mine.length / span) * 1000 : 0) }];
		}),
	);
	return {
		executions,
		on_two_workers: new Set(executions.map((e) => e.worker)).size === 2 && executions.every((e) => e.worker),
		expected: ITEMS * CAMPAIGNS.length,
		sent: accepted.length,
		delivered: seen.size,
		requests: sends.length,
		max_requests_in_1s: maxInWindow(sends.map((r) => r.at)),
		max_accepted_in_1s: maxInWindow(accepted.map((m) => m.at)),
		sent_per_s: round(accepted.length > 1 ? (accepted.length / Math.max(1, last - first)) * 1000 : 0),
		per_campaign: perCampaign,
		count_130429: codeCount(130429),
		count_131056: codeCount(131056),
		finished: executions.every((e) => e.finished),
		// Known only when both runs finished (their output items are what the user sees).
		user_saw_130429: executions.every((e) => e.finished) ? items.filter((i) => i?.error?.code === 130429).length : null,
		output_items: items.length,
		output_errors: items.filter((i) => i?.error).length,
		duplicates: [...seen.values()].filter((n) => n > 1).length,
		pair_rate_violations: codeCount(131056) + acceptedTooClose,
		budget_shared_items: items.filter((i) => i?.sendBudget?.shared === true).length,
		budget_fallbacks: items.filter((i) => i?.sendBudget?.fallback).length,
		invalid_requests: graph.invalidRequests().length,
		wall_s: round(wallS),
	};
}

async function runOutbound({ mode, stack, rest, workflowIds, standIn, graphPort, offset }) {
	const graph = await standIn.core.startGraphStandIn({
		host: '127.0.0.1',
		port: graphPort,
		latencyMs: LATENCY_MS,
		validTokens: [TOKEN],
		modules: [standIn.wa.whatsapp({ mpsLimit: LIMIT, pairRateWindowMs: PAIR_WINDOW_MS })],
	});
	try {
		// The stand-in stamps each request when its event loop takes it: a stalled loop bunches arrivals.
		const lag = monitorEventLoopDelay({ resolution: 10 });
		lag.enable();
		const people = audiences(offset);
		log(`${mode}: two campaigns of ${ITEMS} messages, started together (load ${load().join(' ')})`);
		const started = Date.now();
		// A second apart: a worker with free slots takes whatever is queued, so two executions queued at
		// the same instant can both land on one worker; a second later the other worker is the one waiting.
		for (const [i, c] of CAMPAIGNS.entries()) {
			if (i > 0) await sleep(1000);
			await startCampaign(`${stack.webhook.url}/webhook/scale-${mode}-${c.toLowerCase()}`, people[c]);
		}
		// Without the shared budget, 131056 retries back off 4^n s: the run is cut at BENCH_LOCAL_MAX_S.
		const limitS = mode === 'local' ? LOCAL_MAX_S : Math.max(600, ((ITEMS * 2) / LIMIT) * 6);
		const deadline = started + limitS * 1000;
		const executions = [];
		for (const c of CAMPAIGNS) {
			const execution = await settledExecution(rest, workflowIds[`${mode}-${c}`], deadline);
			executions.push({
				campaign: c,
				id: execution.id,
				status: execution.status,
				finished: execution.finished,
				worker: stack.workerOf(execution.id)?.name ?? null,
			});
		}
		const wallS = (Date.now() - started) / 1000;
		const outputs = [];
		for (const e of executions) {
			if (e.finished) outputs.push(await outputOf(rest, e.id));
			else await rest('POST', `/executions/${e.id}/stop`).catch((error) => log(`stopping ${e.id}: ${error.message}`));
		}
		// How long until n8n lists the stopped executions as ended, and whether they still send: n8n
		// 2.40 does not pass a stop on to the worker running the execution (the worker's job is not
		// among the executions its stop command looks up), so in queue mode they go on sending.
		const stoppedAt = Date.now();
		const unfinished = executions.filter((e) => !e.finished);
		for (const e of unfinished) await endedExecution(rest, e.id, stoppedAt + 60_000);
		const listedEndedS = (Date.now() - stoppedAt) / 1000;
		// Requests still reaching Meta from 1 s to 10 s after the stop (none, if the node stopped).
		if (unfinished.length) await sleep(Math.max(0, stoppedAt + 10_000 - Date.now()));
		const sendsAfterStop = graph.requests.filter((r) => r.at > stoppedAt + 1000).length;
		lag.disable();
		const figures = outboundFigures(graph, outputs, executions, wallS);
		// A worker that died or hung during the run shows here (its executions went to the other).
		if (unfinished.length)
			figures.stop = {
				listed_as_ended_after_s: round(listedEndedS),
				requests_1s_to_10s_after_stop: sendsAfterStop,
			};
		figures.workers_alive = stack.workers.map((w) => w.child.exitCode === null && w.child.signalCode === null);
		figures.standin_loop_lag_ms = { p99: round(lag.percentile(99) / 1e6), max: round(lag.max / 1e6) };
		log(`${mode}: ${JSON.stringify(figures)}`);
		return figures;
	} finally {
		await graph.close();
	}
}

function metaMessage(n, runTag) {
	const from = `91981${String(n % 100000).padStart(7, '0')}`;
	return JSON.stringify({
		object: 'whatsapp_business_account',
		entry: [
			{
				id: WABA,
				changes: [
					{
						field: 'messages',
						value: {
							messaging_product: 'whatsapp',
							metadata: { display_phone_number: '15550783881', phone_number_id: PHONE },
							contacts: [{ profile: { name: 'Bench' }, wa_id: from }],
							messages: [
								{
									from,
									id: `wamid.scale${runTag}_${n}_${randomBytes(6).toString('hex')}`,
									timestamp: String(Math.floor(Date.now() / 1000)),
									type: 'text',
									text: { body: 'price?' },
								},
							],
						},
					},
				],
			},
		],
	});
}

/** The inbound workflow's executions in n8n's database: finished, failed, still running, last stop time. */
async function executionCount(n8nDb, workflowId) {
	const { rows } = await n8nDb.query(
		`SELECT count(*) FILTER (WHERE status IN ('success', 'error', 'crashed'))::int AS n,
		        count(*) FILTER (WHERE status IN ('error', 'crashed'))::int AS failed,
		        count(*) FILTER (WHERE status IN ('new', 'running'))::int AS running,
		        extract(epoch FROM max("stoppedAt")) * 1000 AS last_ms
		 FROM execution_entity WHERE "workflowId" = $1`,
		[workflowId],
	);
	return { n: rows[0].n, failed: rows[0].failed, running: rows[0].running, lastMs: Number(rows[0].last_ms) };
}

/** The service's deliveries: still pending, and every attempt made (a timed-out delivery is made again). */
async function deliveryCount(serviceDb) {
	const { rows } = await serviceDb.query(
		`SELECT count(*)::int AS n, count(*) FILTER (WHERE status = 'pending')::int AS pending,
		        count(*) FILTER (WHERE status = 'dead')::int AS dead,
		        coalesce(sum(attempts), 0)::int AS attempts FROM deliveries`,
	);
	return rows[0];
}

async function runInbound({ service, stack, n8nDb, serviceDb, workflowId, events, runTag }) {
	const before = await executionCount(n8nDb, workflowId);
	const deliveriesBefore = await deliveryCount(serviceDb);
	const workersBefore = new Map(stack.workers.map((w) => [w.name, w.executions().length]));
	let seq = 0;
	let failedPosts = 0;
	const started = Date.now();
	await Promise.all(
		Array.from({ length: INBOUND_CONNECTIONS }, async () => {
			while (seq < events) {
				const response = await service.postMeta(metaMessage(seq++, runTag));
				if (response.status !== 200) failedPosts++;
			}
		}),
	);
	const postedS = (Date.now() - started) / 1000;
	// Settled: every delivery made, no execution of the workflow still running (or nothing moves for 60 s).
	let now = before;
	let deliveries = deliveriesBefore;
	let lastChange = Date.now();
	while (Date.now() - lastChange < 60_000) {
		await sleep(500);
		const next = await executionCount(n8nDb, workflowId);
		deliveries = await deliveryCount(serviceDb);
		if (next.n !== now.n || next.running !== now.running) lastChange = Date.now();
		now = next;
		if (deliveries.n - deliveriesBefore.n >= events && deliveries.pending === 0 && now.running === 0) break;
	}
	const ran = now.n - before.n;
	const spanS = (now.lastMs - started) / 1000;
	return {
		workers: stack.workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null).length,
		events,
		executions: ran,
		failed_executions: now.failed - before.failed,
		executions_per_s: round(ran / spanS),
		webhooks_per_s: round(events / postedS),
		failed_posts: failedPosts,
		deliveries: deliveries.n - deliveriesBefore.n,
		delivery_attempts: deliveries.attempts - deliveriesBefore.attempts,
		deliveries_pending: deliveries.pending,
		deliveries_dead: deliveries.dead - deliveriesBefore.dead,
		by_worker: Object.fromEntries(
			stack.workers.map((w) => [w.name, w.executions().length - workersBefore.get(w.name)]),
		),
		span_s: round(spanS),
	};
}

/** Publishes the inbound workflow and waits until the service's deliveries reach its trigger on the webhook processor. */
async function publishInbound(rest, service, credentials) {
	const id = await publish(rest, inboundWorkflow(credentials));
	const deadline = Date.now() + 120_000;
	for (;;) {
		const res = await fetch(`${service.url}/api/v1/subscriptions`, {
			headers: { authorization: `Bearer ${service.apiKey}` },
		});
		const { data } = await res.json();
		const subscription = (data ?? []).find((s) => s.event_types.includes('whatsapp.message'));
		if (subscription) {
			const probe = await post(String(subscription.url), Buffer.from('{}'), {
				'webhook-id': 'msg_probe',
				'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
				'webhook-signature': 'v1,AAAA',
			});
			if (probe.status === 401) return id;
		}
		if (Date.now() > deadline) throw new Error('the TiltedPrompts Trigger did not go live on the webhook processor');
		await sleep(1000);
	}
}

async function main() {
	const standIn = {
		core: require(join(ROOT, 'sandbox', 'dist', 'core.js')),
		wa: require(join(ROOT, 'sandbox', 'dist', 'whatsapp.js')),
	};
	process.env.META_OPENAPI_SPEC ??= join(ROOT, '..', 'shared', 'meta', 'business-messaging-api_v23.0.yaml');
	const { startEmbeddedPostgres, freePort } = require(join(ROOT, 'service', 'dist', 'db', 'embedded.js'));
	const n8nLib = require(join(ROOT, 'scripts', 'lib', 'n8n.js'));
	const { startQueueStack } = require(join(ROOT, 'scripts', 'lib', 'queue-stack.js'));
	const { Pool } = require('pg');
	const loadBefore = load();
	const work = mkdtempSync(join(tmpdir(), 'tp-bench-scale-'));
	chmodSync(work, 0o755);
	const pg = await startEmbeddedPostgres({ dataDir: join(work, 'pg'), persistent: false });
	let service;
	let stack;
	let n8nDb;
	let serviceDb;
	try {
		const n8nUrl = await pg.ensureDatabase('n8n_scale');
		const serviceUrl = await pg.ensureDatabase('service_scale');
		service = await startService(serviceUrl);
		serviceDb = new Pool({ connectionString: serviceUrl, max: 2 });
		log('packing our package; starting Redis, n8n main, webhook processor and 2 workers');
		const tarball = n8nLib.packPackage(join(work, 'pack'));
		stack = await startQueueStack({
			databaseUrl: n8nUrl,
			tarball,
			workers: 2,
			concurrency: WORKER_CONCURRENCY,
			dataDir: join(work, 'n8n'),
		});
		n8nDb = new Pool({ connectionString: n8nUrl, max: 2 });
		const rest = await ownerSession(stack.main.url);
		const serviceCredential = await rest('POST', '/credentials', {
			name: 'Bench TiltedPrompts',
			type: 'tiltedPromptsApi',
			data: { baseUrl: service.url, apiKey: service.apiKey },
		});
		// Each mode its own stand-in port (and WhatsApp credential): nothing one run sends reaches the other's.
		const graphPorts = {};
		const workflowIds = {};
		for (const mode of MODES) {
			graphPorts[mode] = await freePort();
			const whatsApp = await rest('POST', '/credentials', {
				name: `Bench WhatsApp (${mode})`,
				type: 'whatsAppCloudApi',
				data: {
					accessToken: TOKEN,
					businessAccountId: WABA,
					apiVersion: 'v23.0',
					baseUrl: `http://127.0.0.1:${graphPorts[mode]}`,
				},
			});
			const refs = {
				whatsApp: { id: whatsApp.id, name: whatsApp.name },
				service: { id: serviceCredential.id, name: serviceCredential.name },
			};
			for (const c of CAMPAIGNS) workflowIds[`${mode}-${c}`] = await publish(rest, campaignWorkflow(mode, c, refs));
		}
		const serviceRefs = { service: { id: serviceCredential.id, name: serviceCredential.name } };

		const figures = {
			bench: 'scale',
			items_per_campaign: ITEMS,
			campaigns: CAMPAIGNS.length,
			limit_per_s: LIMIT,
			latency_ms: LATENCY_MS,
			cpus: cpus().length,
		};
		let offset = 0;
		for (const mode of MODES) {
			figures[mode] = await runOutbound({
				mode,
				stack,
				rest,
				workflowIds,
				standIn,
				graphPort: graphPorts[mode],
				offset,
			});
			offset += 100_000;
		}

		log(`inbound: publishing the TiltedPrompts Trigger workflow (load ${load().join(' ')})`);
		const inboundId = await publishInbound(rest, service, serviceRefs);
		await runInbound({ service, stack, n8nDb, serviceDb, workflowId: inboundId, events: 50, runTag: 'w' }); // warm-up
		const inbound = {};
		inbound.workers_2 = await runInbound({
			service,
			stack,
			n8nDb,
			serviceDb,
			workflowId: inboundId,
			events: INBOUND_EVENTS,
			runTag: '2',
		});
		log(`inbound, 2 workers: ${JSON.stringify(inbound.workers_2)}`);
		await stack.workers[1].stop();
		inbound.workers_1 = await runInbound({
			service,
			stack,
			n8nDb,
			serviceDb,
			workflowId: inboundId,
			events: INBOUND_EVENTS,
			runTag: '1',
		});
		log(`inbound, 1 worker: ${JSON.stringify(inbound.workers_1)}`);
		inbound.ratio_2_to_1 = round(inbound.workers_2.executions_per_s / inbound.workers_1.executions_per_s, 2);
		figures.inbound = inbound;

		const s = figures.shared;
		const l = figures.local;
		figures.checks = {
			...(s
				? {
						shared_on_two_workers: s.on_two_workers,
						shared_never_above_limit_in_1s: s.max_requests_in_1s <= LIMIT,
						shared_rate_ge_95pct_of_limit: s.sent_per_s >= 0.95 * LIMIT,
						shared_no_130429_reached_user: s.user_saw_130429 === 0,
						shared_zero_duplicates: s.duplicates === 0,
						shared_zero_pair_rate_violations: s.pair_rate_violations === 0,
						shared_all_delivered: s.delivered === s.expected,
					}
				: {}),
			...(l ? { local_max_requests_in_1s: l.max_requests_in_1s, local_count_130429: l.count_130429 } : {}),
		};
		figures.load_avg = { before: loadBefore, after: load() };
		process.stdout.write(`${JSON.stringify(figures)}\n`);
	} finally {
		await n8nDb?.end().catch(() => undefined);
		await serviceDb?.end().catch(() => undefined);
		await stack?.stop().catch(() => undefined);
		await service?.stop().catch(() => undefined);
		await pg.stop();
		rmSync(work, { recursive: true, force: true });
	}
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
