// `npm run bench:fanout`: Meta webhook received by the service → the signed event arrives at a
// subscriber (an n8n-like webhook on loopback that verifies the Standard Webhooks signature).
//   warm-up:          BENCH_RATE webhooks per second for BENCH_WARMUP_SECONDS (15), reported
//                     apart as `cold_start` (below);
//   latency phase:    BENCH_RATE signed WhatsApp message webhooks per second for BENCH_SECONDS;
//                     latency = subscriber receipt − start of the webhook POST (p50/p99).
//   throughput phase: BENCH_BURST webhooks as fast as BENCH_CONNECTIONS allow; deliveries/s =
//                     events delivered / (last receipt − first POST); sent by wrk when installed
//                     (BENCH_LOAD, below).
// The service runs as its own process (node service/dist/main.js) on an embedded Postgres; the user
// and API key come from the CLI (`users create`, `keys create`), read from the last stdout line.
// BENCH_SENDERS: how many different people send (default 100000: every message from someone new;
// a small number, e.g. 200, is repeat customers, whose contacts are updated rather than created).
// The reference, in the same run (BENCH_REFERENCE=0 skips it): n8n 2.40 doing the job without the
// service, a Webhook node (answering at once) → HTTP Request node POSTing the webhook's body to the
// same kind of subscriber; no signature check, nothing stored, no retry. Its latency phase runs at
// BENCH_N8N_RATE (default 10/s: on the 2-core VM n8n keeps up with ~16/s at the most, and above that
// its latency is only queueing), its throughput phase is BENCH_N8N_BURST webhooks (500) over BENCH_N8N_CONNECTIONS (10).
// CPU per event over our phases (`service_cpu_us_per_event`, `postgres_cpu_us_per_event`: the
// service's process and every Postgres process, from /proc): steadier on a shared machine than the
// latencies and rates, so compare changes with it.
// Progress goes to stderr; the last stdout line is one JSON object of figures.
import { spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { Agent, createServer, request } from 'node:http';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { startReferenceN8n } from './n8n-reference.mjs';
import { whatsappWebhookBody } from './status-webhook.mjs';
import { presignedWrk, wrkInstalled } from './wrk.mjs';
import {
	SERVICE_MAIN,
	withBenchPostgres,
	benchServiceEnv,
	cpuMeter,
	printPgStatements,
	rssMb,
	serviceCli,
} from './service-env.mjs';

const require = createRequire(import.meta.url);
const { freePort } = require('../dist/db/embedded.js');
const { signingKey, verify } = require('../dist/core/standard-webhooks.js');
const { Client } = require('pg');
const { SERVICE_NODE_FLAGS } = require('../dist/node-flags.js');

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const RATE = Number(process.env.BENCH_RATE ?? 1000);
const BURST = Number(process.env.BENCH_BURST ?? 5000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const SENDERS = Number(process.env.BENCH_SENDERS ?? 100000);
const WITH_REFERENCE = process.env.BENCH_REFERENCE !== '0';
const N8N_RATE = Number(process.env.BENCH_N8N_RATE ?? 10);
const N8N_BURST = Number(process.env.BENCH_N8N_BURST ?? 500);
const N8N_CONNECTIONS = Number(process.env.BENCH_N8N_CONNECTIONS ?? 10);
// Seconds at the latency phase's rate before it is measured (ours and n8n's). A process that has just
// started compiles its hot paths while it serves: measured on the 2-core VM (service/bench/README.md,
// tenth look), V8 was still optimising and re-optimising the service's request path 10 s into a
// 1,000/s load, on the core Postgres and the bench need, and the p99 of those seconds was that
// compilation. The warm-up's own figures are printed too (`cold_start`): what a service that has
// just started gives its first seconds of traffic.
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 15);
// The burst's load generator (ours and n8n's): BENCH_LOAD=wrk (the default when `wrk` is installed:
// webhooks signed before the burst, so the bench process only receives deliveries during it) or node
// (this process builds, signs and posts each webhook while it also receives the deliveries).
const BURST_GENERATOR = process.env.BENCH_LOAD ?? (wrkInstalled() ? 'wrk' : 'node');
// Extra node flags for the service process, after the ones it runs with (service/src/node-flags.ts; e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile it).
const SERVICE_NODE_ARGS = (process.env.BENCH_SERVICE_NODE_ARGS ?? '').split(' ').filter(Boolean);

const log = (msg) => process.stderr.write(`[bench:fanout] ${msg}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(sorted, p) {
	if (sorted.length === 0) return null;
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function metaBody(wamid, from) {
	return whatsappWebhookBody({
		contacts: [{ profile: { name: 'Bench' }, wa_id: from }],
		messages: [
			{ from, id: wamid, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: 'price?' } },
		],
	});
}

/** A loopback HTTP server that hands each request's body and receipt time to `onBody`, answering its status. */
async function startSubscriber(onBody) {
	const server = createServer((req, res) => {
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', () => {
			const at = performance.now();
			res.writeHead(onBody(Buffer.concat(chunks), req.headers, at)).end();
		});
	});
	await new Promise((r) => server.listen(0, '127.0.0.1', r));
	return { server, url: `http://127.0.0.1:${server.address().port}/webhook/tp` };
}

/**
 * Posts signed Meta message webhooks to `url`, each with a new wamid (`wamid.bench<n>_…`), and keeps
 * when each was sent, how long its answer took (while `recordAnswers`) and which failed.
 */
function poster(url, appSecret) {
	// node:http with keep-alive (fetch costs the poster several times the CPU, taken from the same
	// two cores as the service and the subscriber, whose receipt times it would delay). Idle sockets
	// close after 4 s, before the server's 5 s keep-alive timeout can close one under a new request.
	const agent = new Agent({ keepAlive: true, maxSockets: 256, timeout: 4000 });
	const postWebhook = (body, signature) =>
		new Promise((resolve) => {
			const req = request(
				url,
				{
					method: 'POST',
					agent,
					headers: {
						'content-type': 'application/json',
						'content-length': Buffer.byteLength(body),
						'x-hub-signature-256': signature,
					},
				},
				(res) => {
					res.resume();
					res.on('end', () => resolve(res.statusCode));
				},
			);
			req.on('error', (error) => resolve(error.code ?? 'error'));
			req.end(body);
		});
	const state = { seq: 0, sentAt: new Map(), answerTimes: [], recordAnswers: false, failedPosts: 0, failures: {} };
	const next = () => {
		const n = state.seq++;
		const wamid = `wamid.bench${n}_${randomBytes(6).toString('hex')}`;
		const body = metaBody(wamid, `91981${String(n % SENDERS).padStart(7, '0')}`);
		return { wamid, body, signature: `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}` };
	};
	state.post = async () => {
		const { wamid, body, signature } = next();
		state.sentAt.set(wamid, performance.now());
		const status = await postWebhook(body, signature);
		if (state.recordAnswers) state.answerTimes.push(performance.now() - state.sentAt.get(wamid));
		if (status !== 200) {
			state.failedPosts++;
			state.failures[status] = (state.failures[status] ?? 0) + 1; // by HTTP status or network error code
		}
		return status;
	};
	state.close = () => agent.destroy();
	// The burst with wrk: `count` webhooks made and signed first (not timed), then sent by wrk.
	state.presignedBurst = (count, connections) => presignedWrk({ url, connections, seconds: 600, count, make: next });
	return state;
}

async function waitDelivered(received, count, timeoutMs) {
	const deadline = Date.now() + timeoutMs;
	while (received.size < count && Date.now() < deadline) await sleep(10);
}

const ms = (x) => Math.round((x ?? NaN) * 10) / 10;

/**
 * `rate` webhooks/s for `seconds`; resolves once they were delivered (or 60 s passed) with the
 * latencies (receipt − start of the POST, sorted) and the webhooks' own answer times.
 */
async function latencyPhase(p, received, rate, seconds, label) {
	log(`${label}: latency phase, ${rate}/s for ${seconds} s`);
	const before = received.size;
	const first = p.seq;
	const total = rate * seconds;
	const started = performance.now();
	const inflight = [];
	p.answerTimes = [];
	p.recordAnswers = true;
	for (let i = 0; i < total; i++) {
		const due = started + (i * 1000) / rate;
		const wait = due - performance.now();
		if (wait > 1) await sleep(wait);
		inflight.push(p.post());
	}
	await Promise.all(inflight);
	p.recordAnswers = false;
	await waitDelivered(received, before + total, 60_000);
	const latencies = [];
	for (const { at, wamid } of received.values()) {
		const n = Number(/^wamid\.bench(\d+)_/.exec(wamid)?.[1]);
		if (n >= first && n < first + total) latencies.push(at - p.sentAt.get(wamid));
	}
	return {
		first,
		total,
		latencies: latencies.sort((a, b) => a - b),
		answerTimes: [...p.answerTimes].sort((a, b) => a - b),
	};
}

/** A latency phase's figures: deliveries, their latency, and the webhooks' own answer (the part before fan-out). */
function phaseFigures(phase) {
	return {
		delivered: phase.latencies.length,
		p50_ms: ms(percentile(phase.latencies, 50)),
		p99_ms: ms(percentile(phase.latencies, 99)),
		max_ms: ms(phase.latencies.at(-1)),
		webhook_answer_p50_ms: ms(percentile(phase.answerTimes, 50)),
		webhook_answer_p99_ms: ms(percentile(phase.answerTimes, 99)),
	};
}

/**
 * Warm-up, then `rate` webhooks/s for `seconds`, then a burst of `burst` over `connections`, then
 * (`slowRate`) `slowRate` webhooks/s for `seconds`. `received`: what the subscriber got, each
 * { at, wamid }. `between`: more figures, once the fixed-rate phase was delivered.
 */
async function runPhases(p, received, { rate, seconds, burst, connections, label, between, slowRate }) {
	// Warm-up: 20 webhooks answered 200 (a just-activated n8n webhook answers 404 for a moment).
	for (let ok = 0, tries = 0; ok < 20; tries++) {
		if (tries >= 300) throw new Error(`${label}: the webhook did not answer 200: ${JSON.stringify(p.failures)}`);
		if ((await p.post()) === 200) ok++;
		else await sleep(100);
	}
	p.failedPosts = 0;
	p.failures = {};
	await waitDelivered(received, 20, 30_000);
	const cold = WARMUP_SECONDS > 0 ? await latencyPhase(p, received, rate, WARMUP_SECONDS, `${label} warm-up`) : null;

	const fixed = await latencyPhase(p, received, rate, seconds, label);
	const afterLatency = received.size;
	const extra = between ? await between(fixed.first, fixed.total) : {};

	log(`${label}: throughput phase, ${burst} webhooks, ${connections} connections, ${BURST_GENERATOR}`);
	let burstStart = performance.now();
	let postsDone = null;
	if (BURST_GENERATOR === 'wrk') {
		const run = await p.presignedBurst(burst, connections);
		burstStart = run.started;
		await waitDelivered(received, afterLatency + burst, 120_000);
		// Answers still on the way when wrk's thread stopped are not counted: the deliveries are.
		const answers = await run.stop();
		const failed = answers.status_errors + answers.socket_errors + answers.timeouts;
		if (failed > 0) {
			p.failedPosts += failed;
			p.failures.wrk = answers;
		}
	} else {
		let remaining = burst;
		await Promise.all(
			Array.from({ length: connections }, async () => {
				while (remaining-- > 0) await p.post();
			}),
		);
		postsDone = performance.now();
		await waitDelivered(received, afterLatency + burst, 120_000);
	}
	let lastReceipt = 0;
	for (const { at } of received.values()) lastReceipt = Math.max(lastReceipt, at);
	const burstDelivered = received.size - afterLatency;
	const slow = slowRate ? await latencyPhase(p, received, slowRate, seconds, label) : null;
	p.close();
	return {
		events: fixed.total,
		...phaseFigures(fixed),
		// The warm-up: the first seconds at the rate after the process started (not in the figures above).
		...(cold && { cold_start: { seconds: WARMUP_SECONDS, ...phaseFigures(cold) } }),
		...extra,
		burst_events: burst,
		burst_delivered: burstDelivered,
		deliveries_per_s: Math.round((burstDelivered / (lastReceipt - burstStart)) * 1000),
		// How fast the webhooks were answered; wrk does not say when its last answer came.
		webhooks_per_s: postsDone === null ? null : Math.round((burst / (postsDone - burstStart)) * 1000),
		burst_generator: BURST_GENERATOR,
		...(slow && {
			// At the reference's rate, for latencies side by side.
			at_slow_rate: { rate_per_s: slowRate, ...phaseFigures(slow) },
		}),
		failed_posts: p.failedPosts,
		failures: p.failures,
	};
}

/** Ours: the service stores each webhook and delivers a signed event to the subscriber. */
async function benchOurs(databaseUrl, dataDir) {
	const port = await freePort();
	const appSecret = randomBytes(16).toString('hex');
	const env = benchServiceEnv({ port, databaseUrl, appSecret });
	const userId = serviceCli(env, ['users', 'create', '--email', 'bench@example.com', '--tier', 'pro']);
	const apiKey = serviceCli(env, ['keys', 'create', '--user', 'bench@example.com', '--scopes', 'events']);
	log(`user ${userId}, key ${apiKey.slice(0, 9)}…`);

	// The subscriber: verifies every signature, deduplicates on webhook-id, records receipt times.
	const received = new Map();
	let secret;
	let badSignatures = 0;
	const subscriber = await startSubscriber((body, headers, at) => {
		try {
			verify(
				body,
				{
					'webhook-id': headers['webhook-id'],
					'webhook-timestamp': headers['webhook-timestamp'],
					'webhook-signature': headers['webhook-signature'],
				},
				[secret],
				{ nowSeconds: Math.floor(Date.now() / 1000) },
			);
		} catch {
			badSignatures++;
			return 401;
		}
		const id = headers['webhook-id'];
		if (!received.has(id)) received.set(id, { at, wamid: JSON.parse(body.toString('utf8')).data.wamid });
		return 204;
	});
	const service = spawn(process.execPath, [...SERVICE_NODE_FLAGS, ...SERVICE_NODE_ARGS, SERVICE_MAIN], {
		env,
		stdio: ['ignore', 'ignore', 'inherit'],
	});
	try {
		const base = `http://127.0.0.1:${port}`;
		for (let i = 0; ; i++) {
			try {
				if ((await fetch(`${base}/readyz`)).ok) break;
			} catch {
				// not yet
			}
			if (i > 300) throw new Error('service did not become ready');
			await sleep(100);
		}
		const created = await fetch(`${base}/api/v1/subscriptions`, {
			method: 'POST',
			headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
			body: JSON.stringify({ url: subscriber.url, event_types: ['whatsapp.message'] }),
		});
		if (created.status !== 201) throw new Error(`subscription: HTTP ${created.status} ${await created.text()}`);
		secret = signingKey((await created.json()).secret);
		const cpu = cpuMeter(service.pid, dataDir);
		const figures = await runPhases(poster(`${base}/webhooks/meta`, appSecret), received, {
			rate: RATE,
			seconds: SECONDS,
			burst: BURST,
			connections: CONNECTIONS,
			label: 'ours',
			slowRate: WITH_REFERENCE ? N8N_RATE : undefined,
			// The service's own view (its clock, no bench process in between): events.received_at (its
			// store transaction began) → the delivery recorded as succeeded (after the subscriber answered).
			between: (from, count) => serviceSideLatency(databaseUrl, from, count),
		});
		return { ...figures, bad_signatures: badSignatures, ...cpu.end(received.size) };
	} finally {
		service.kill('SIGTERM');
		await new Promise((r) => (service.exitCode !== null ? r() : service.once('exit', r)));
		subscriber.server.close();
	}
}

async function serviceSideLatency(databaseUrl, from, count) {
	const db = new Client({ connectionString: databaseUrl });
	await db.connect();
	try {
		const [row] = (
			await db.query(
				`SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99
				 FROM (SELECT extract(epoch FROM d.succeeded_at - e.received_at) * 1000 AS ms
				       FROM deliveries d JOIN events e ON e.id = d.event_id
				       WHERE d.status = 'succeeded' AND (substring(e.payload->>'wamid' FROM '^wamid\\.bench(\\d+)_'))::int BETWEEN $1 AND $2) x`,
				[from, from + count - 1],
			)
		).rows;
		return {
			service_received_to_delivered_p50_ms: ms(Number(row.p50)),
			service_received_to_delivered_p99_ms: ms(Number(row.p99)),
		};
	} finally {
		await db.end();
	}
}

/** The reference: n8n receives the webhook and POSTs its body on to the subscriber (see the top). */
async function benchN8n(databaseUrl) {
	const received = new Map();
	const subscriber = await startSubscriber((body, _headers, at) => {
		const wamid = JSON.parse(body.toString('utf8'))?.entry?.[0]?.changes?.[0]?.value?.messages?.[0]?.id;
		if (typeof wamid === 'string' && !received.has(wamid)) received.set(wamid, { at, wamid });
		return 204;
	});
	const n8n = await startReferenceN8n(databaseUrl, log);
	try {
		await n8n.activate({
			name: 'Meta webhook → HTTP Request (bench reference)',
			nodes: [
				{
					parameters: { httpMethod: 'POST', path: 'meta-fanout', responseMode: 'onReceived', options: {} },
					id: '0b5d8b7e-0000-4000-8000-000000000011',
					name: 'Webhook',
					type: 'n8n-nodes-base.webhook',
					typeVersion: 2,
					position: [0, 0],
					webhookId: '0b5d8b7e-0000-4000-8000-0000000000bb',
				},
				{
					parameters: {
						method: 'POST',
						url: subscriber.url,
						sendBody: true,
						specifyBody: 'json',
						jsonBody: '={{ JSON.stringify($json.body) }}',
						options: {},
					},
					id: '0b5d8b7e-0000-4000-8000-000000000012',
					name: 'HTTP Request',
					type: 'n8n-nodes-base.httpRequest',
					typeVersion: 4.2,
					position: [220, 0],
				},
			],
			connections: { Webhook: { main: [[{ node: 'HTTP Request', type: 'main', index: 0 }]] } },
		});
		const figures = await runPhases(poster(`${n8n.url}/webhook/meta-fanout`, 'unused-by-n8n'), received, {
			rate: N8N_RATE,
			seconds: SECONDS,
			burst: N8N_BURST,
			connections: N8N_CONNECTIONS,
			label: 'n8n',
		});
		return { ...figures, rss_mb: rssMb(n8n.pid) };
	} finally {
		await n8n.stop();
		subscriber.server.close();
	}
}

async function main() {
	const loadStart = loadavg()[0];
	return withBenchPostgres('bench_fanout', async (databaseUrl, { dataDir }) => {
		const ours = await benchOurs(databaseUrl, dataDir);
		await printPgStatements(Client, databaseUrl, log);
		const n8n = WITH_REFERENCE ? await benchN8n(databaseUrl) : null;
		const result = {
			bench: 'fanout',
			rate_per_s: RATE,
			senders: SENDERS,
			...ours,
			n8n: n8n && { rate_per_s: N8N_RATE, connections: N8N_CONNECTIONS, ...n8n },
			deliveries_ratio: n8n ? Math.round((ours.deliveries_per_s / n8n.deliveries_per_s) * 10) / 10 : null,
			targets: { p99_ms: 50, at_rate_per_s: 1000, deliveries_per_s: 2000 },
			load_avg_1m_start: Math.round(loadStart * 100) / 100,
			load_avg_1m: Math.round(loadavg()[0] * 100) / 100,
		};
		process.stdout.write(`${JSON.stringify(result)}\n`);
	});
}

main().catch((error) => {
	log(error.stack ?? String(error));
	process.exit(1);
});
