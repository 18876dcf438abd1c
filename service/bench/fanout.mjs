// `npm run bench:fanout`: Meta webhook received by the service → the signed event arrives at a
// subscriber (an n8n-like webhook on loopback that verifies the Standard Webhooks signature).
//   latency phase:    BENCH_RATE signed WhatsApp message webhooks per second for BENCH_SECONDS;
//                     latency = subscriber receipt − start of the webhook POST (p50/p99).
//   throughput phase: BENCH_BURST webhooks as fast as BENCH_CONNECTIONS allow; deliveries/s =
//                     events delivered / (last receipt − first POST).
// The service runs as its own process (node service/dist/main.js) on an embedded Postgres; the user
// and API key come from the CLI (`users create`, `keys create`), read from the last stdout line.
// BENCH_SENDERS: how many different people send (default 100000: every message from someone new;
// a small number, e.g. 200, is repeat customers, whose contacts are updated rather than created).
// Progress goes to stderr; the last stdout line is one JSON object of figures.
import { spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVICE_MAIN, benchPostgresFlags, benchServiceEnv, printPgStatements, serviceCli } from './service-env.mjs';

const require = createRequire(import.meta.url);
const { startEmbeddedPostgres, freePort } = require('../dist/db/embedded.js');
const { verify } = require('../dist/core/standard-webhooks.js');
const { Client } = require('pg');
const { SERVICE_NODE_FLAGS } = require('../dist/node-flags.js');

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const RATE = Number(process.env.BENCH_RATE ?? 1000);
const BURST = Number(process.env.BENCH_BURST ?? 5000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const SENDERS = Number(process.env.BENCH_SENDERS ?? 100000);
// Extra node flags for the service process, after the ones it runs with (service/src/node-flags.ts; e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile it).
const SERVICE_NODE_ARGS = (process.env.BENCH_SERVICE_NODE_ARGS ?? '').split(' ').filter(Boolean);

const log = (msg) => process.stderr.write(`[bench:fanout] ${msg}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(sorted, p) {
	if (sorted.length === 0) return null;
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function metaBody(wamid, from) {
	return JSON.stringify({
		object: 'whatsapp_business_account',
		entry: [
			{
				id: '102290129340398',
				changes: [
					{
						field: 'messages',
						value: {
							messaging_product: 'whatsapp',
							metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
							contacts: [{ profile: { name: 'Bench' }, wa_id: from }],
							messages: [
								{
									from,
									id: wamid,
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

async function main() {
	const parent = mkdtempSync(join(tmpdir(), 'tp-bench-fanout-'));
	chmodSync(parent, 0o755);
	const pg = await startEmbeddedPostgres({
		dataDir: join(parent, 'data'),
		persistent: false,
		postgresFlags: benchPostgresFlags(),
	});
	let service;
	let subscriber;
	try {
		const databaseUrl = await pg.ensureDatabase('bench_fanout');
		const port = await freePort();
		const appSecret = randomBytes(16).toString('hex');
		const env = benchServiceEnv({ port, databaseUrl, appSecret });
		const userId = serviceCli(env, ['users', 'create', '--email', 'bench@example.com', '--tier', 'pro']);
		const apiKey = serviceCli(env, ['keys', 'create', '--user', 'bench@example.com', '--scopes', 'events']);
		log(`user ${userId}, key ${apiKey.slice(0, 9)}…`);

		// The subscriber: verifies every signature, deduplicates on webhook-id, records receipt times.
		const received = new Map();
		let secret = '';
		let badSignatures = 0;
		subscriber = createServer((req, res) => {
			const chunks = [];
			req.on('data', (c) => chunks.push(c));
			req.on('end', () => {
				const at = performance.now();
				const body = Buffer.concat(chunks);
				try {
					verify(
						body,
						{
							'webhook-id': req.headers['webhook-id'],
							'webhook-timestamp': req.headers['webhook-timestamp'],
							'webhook-signature': req.headers['webhook-signature'],
						},
						[secret],
						{
							nowSeconds: Math.floor(Date.now() / 1000),
						},
					);
				} catch {
					badSignatures++;
					res.writeHead(401).end();
					return;
				}
				const id = req.headers['webhook-id'];
				if (!received.has(id)) received.set(id, { at, wamid: JSON.parse(body.toString('utf8')).data.wamid });
				res.writeHead(204).end();
			});
		});
		await new Promise((r) => subscriber.listen(0, '127.0.0.1', r));
		const hookUrl = `http://127.0.0.1:${subscriber.address().port}/webhook/tp`;

		service = spawn(process.execPath, [...SERVICE_NODE_FLAGS, ...SERVICE_NODE_ARGS, SERVICE_MAIN], {
			env,
			stdio: ['ignore', 'ignore', 'inherit'],
		});
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
			body: JSON.stringify({ url: hookUrl, event_types: ['whatsapp.message'] }),
		});
		if (created.status !== 201) throw new Error(`subscription: HTTP ${created.status} ${await created.text()}`);
		secret = (await created.json()).secret;

		// node:http with keep-alive (fetch costs the poster several times the CPU, taken from the same
		// two cores as the service and the subscriber, whose receipt times it would delay). Idle sockets
		// close after 4 s, before the server's 5 s keep-alive timeout can close one under a new request.
		const agent = new Agent({ keepAlive: true, maxSockets: 256, timeout: 4000 });
		const postWebhook = (body, signature) =>
			new Promise((resolve) => {
				const req = request(
					`${base}/webhooks/meta`,
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
		const sentAt = new Map();
		let failedPosts = 0;
		const failures = {}; // by HTTP status or network error code
		let seq = 0;
		const answerTimes = [];
		let recordAnswers = false;
		const post = async () => {
			const n = seq++;
			const wamid = `wamid.bench${n}_${randomBytes(6).toString('hex')}`;
			const body = metaBody(wamid, `91981${String(n % SENDERS).padStart(7, '0')}`);
			const signature = `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;
			sentAt.set(wamid, performance.now());
			const status = await postWebhook(body, signature);
			if (recordAnswers) answerTimes.push(performance.now() - sentAt.get(wamid));
			if (status !== 200) {
				failedPosts++;
				failures[status] = (failures[status] ?? 0) + 1;
			}
		};
		const waitDelivered = async (count, timeoutMs) => {
			const deadline = Date.now() + timeoutMs;
			while (received.size < count && Date.now() < deadline) await sleep(10);
		};

		// Warm-up.
		for (let i = 0; i < 50; i++) await post();
		await waitDelivered(50, 10_000);
		const warm = received.size;

		// Latency phase: fixed rate.
		log(`latency phase: ${RATE}/s for ${SECONDS} s`);
		const latencyStart = seq;
		const total = RATE * SECONDS;
		const started = performance.now();
		const inflight = [];
		recordAnswers = true;
		for (let i = 0; i < total; i++) {
			const due = started + (i * 1000) / RATE;
			const wait = due - performance.now();
			if (wait > 1) await sleep(wait);
			inflight.push(post());
		}
		await Promise.all(inflight);
		recordAnswers = false;
		answerTimes.sort((a, b) => a - b);
		await waitDelivered(warm + total, 30_000);
		const latencies = [];
		for (const { at, wamid } of received.values()) {
			const n = Number(/^wamid\.bench(\d+)_/.exec(wamid)?.[1]);
			if (n >= latencyStart && n < latencyStart + total) latencies.push(at - sentAt.get(wamid));
		}
		latencies.sort((a, b) => a - b);
		const afterLatency = received.size;
		// The service's own view (its clock, no bench process in between): events.received_at (its store
		// transaction began) → the delivery recorded as succeeded (after the subscriber answered).
		const db = new Client({ connectionString: databaseUrl });
		await db.connect();
		const [serverSide] = (
			await db.query(
				`SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99
				 FROM (SELECT extract(epoch FROM d.succeeded_at - e.received_at) * 1000 AS ms
				       FROM deliveries d JOIN events e ON e.id = d.event_id
				       WHERE d.status = 'succeeded' AND (substring(e.payload->>'wamid' FROM '^wamid\\.bench(\\d+)_'))::int BETWEEN $1 AND $2) x`,
				[latencyStart, latencyStart + total - 1],
			)
		).rows;
		await db.end();

		// Throughput phase: as fast as CONNECTIONS concurrent posters go.
		log(`throughput phase: ${BURST} webhooks, ${CONNECTIONS} connections`);
		const burstStart = performance.now();
		let remaining = BURST;
		await Promise.all(
			Array.from({ length: CONNECTIONS }, async () => {
				while (remaining-- > 0) await post();
			}),
		);
		const postsDone = performance.now();
		await waitDelivered(afterLatency + BURST, 60_000);
		let lastReceipt = 0;
		for (const { at } of received.values()) lastReceipt = Math.max(lastReceipt, at);
		const burstDelivered = received.size - afterLatency;
		await printPgStatements(Client, databaseUrl, log);
		const result = {
			bench: 'fanout',
			rate_per_s: RATE,
			senders: SENDERS,
			events: total,
			delivered: latencies.length,
			p50_ms: Math.round((percentile(latencies, 50) ?? NaN) * 10) / 10,
			p99_ms: Math.round((percentile(latencies, 99) ?? NaN) * 10) / 10,
			max_ms: Math.round((latencies.at(-1) ?? NaN) * 10) / 10,
			// The webhook's own answer (stored durably, then 200): the part of the latency before fan-out.
			webhook_answer_p50_ms: Math.round((percentile(answerTimes, 50) ?? NaN) * 10) / 10,
			webhook_answer_p99_ms: Math.round((percentile(answerTimes, 99) ?? NaN) * 10) / 10,
			// By the service's clock: store transaction began → delivery recorded as succeeded.
			service_received_to_delivered_p50_ms: Math.round(Number(serverSide.p50) * 10) / 10,
			service_received_to_delivered_p99_ms: Math.round(Number(serverSide.p99) * 10) / 10,
			burst_events: BURST,
			burst_delivered: burstDelivered,
			deliveries_per_s: Math.round((burstDelivered / (lastReceipt - burstStart)) * 1000),
			webhooks_per_s: Math.round((BURST / (postsDone - burstStart)) * 1000),
			failed_posts: failedPosts,
			failures,
			bad_signatures: badSignatures,
			targets: { p99_ms: 50, at_rate_per_s: 1000, deliveries_per_s: 2000 },
			load_avg_1m: Math.round(loadavg()[0] * 100) / 100,
		};
		process.stdout.write(`${JSON.stringify(result)}\n`);
	} finally {
		if (service) {
			service.kill('SIGTERM');
			await new Promise((r) => service.once('exit', r));
		}
		subscriber?.close();
		await pg.stop();
		rmSync(parent, { recursive: true, force: true });
	}
}

main().catch((error) => {
	log(error.stack ?? String(error));
	process.exit(1);
});
