// `npm run bench:ingest`: our service against the equivalent n8n 2.40 workflow (Webhook node →
// Postgres insert), in the same run, on the same machine and the same Postgres server.
//   ours: POST /webhooks/meta — signature verified, raw payload + normalized event stored durably,
//         deduplicated, then 200. Max throughput, then latency at a fixed 1,000 requests/s.
//   n8n:  POST /webhook/meta-bench — Webhook node (answers after the last node) → Postgres node
//         INSERT of the body. No signature check (the built-in Webhook node has none).
// Each request is a distinct WhatsApp status webhook (new wamid), signed like Meta signs it.
// `ours_{max,fixed}_{service,postgres}_cpu_us`: CPU per stored webhook of the service's process and of
// every Postgres process in each of our two runs (from /proc); steadier on a shared machine than the rates.
// Progress goes to stderr; the last stdout line is one JSON object of figures.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startReferenceN8n } from './n8n-reference.mjs';
import { wrkInstalled } from './wrk.mjs';
import {
	SERVICE_MAIN,
	benchServiceEnv,
	cpuMeter,
	printPgStatements,
	rssMb,
	withBenchPostgres,
} from './service-env.mjs';

const require = createRequire(import.meta.url);
const HERE = dirname(fileURLToPath(import.meta.url));
const { freePort } = require('../dist/db/embedded.js');
const { Client } = require('pg');
const { SERVICE_NODE_FLAGS } = require('../dist/node-flags.js');

const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const OURS_CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const N8N_CONNECTIONS = Number(process.env.BENCH_N8N_CONNECTIONS ?? 10);
// The fixed rate of the latency run, requests/s (BENCH_RATE; default 1,000).
const FIXED_RATE = Number(process.env.BENCH_RATE ?? 1000);
// Extra node flags for the service process, after the ones it runs with (service/src/node-flags.ts; e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile it).
const SERVICE_NODE_ARGS = (process.env.BENCH_SERVICE_NODE_ARGS ?? '').split(' ').filter(Boolean);
// BENCH_REFERENCE=0 skips the n8n run (while profiling our side only; the figures then have no ratio).
const WITH_REFERENCE = process.env.BENCH_REFERENCE !== '0';
// The load generator of the most-throughput runs (ours and n8n's): BENCH_LOAD=wrk (the default when
// `wrk` is installed: requests signed before the run, far less CPU per request on the shared cores)
// or autocannon (builds and signs each request during the run). The fixed-rate run is autocannon's.
const MAX_GENERATOR = process.env.BENCH_LOAD ?? (wrkInstalled() ? 'wrk' : 'autocannon');

const log = (msg) => process.stderr.write(`[bench:ingest] ${msg}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function load(options) {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [join(HERE, 'ingest-load.mjs'), JSON.stringify(options)], {
			stdio: ['ignore', 'pipe', 'inherit'],
		});
		let out = '';
		child.stdout.on('data', (chunk) => (out += chunk));
		child.on('error', reject);
		child.on('close', (code) =>
			code === 0
				? resolve(JSON.parse(out.trim().split('\n').pop()))
				: reject(new Error(`load generator exited ${code}`)),
		);
	});
}

async function waitFor(url, what, timeoutMs = 60000) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		try {
			if ((await fetch(url)).ok) return;
		} catch {
			// not yet
		}
		if (Date.now() > deadline) throw new Error(`${what} did not become ready`);
		await sleep(200);
	}
}

async function query(url, sql, params = []) {
	const client = new Client({ connectionString: url });
	await client.connect();
	try {
		return (await client.query(sql, params)).rows;
	} finally {
		await client.end();
	}
}

async function benchOurs(databaseUrl, dataDir) {
	const port = await freePort();
	const appSecret = randomBytes(16).toString('hex');
	const env = benchServiceEnv({ port, databaseUrl, appSecret });
	const service = spawn(process.execPath, [...SERVICE_NODE_FLAGS, ...SERVICE_NODE_ARGS, SERVICE_MAIN], {
		env,
		stdio: ['ignore', 'ignore', 'inherit'],
	});
	try {
		const url = `http://127.0.0.1:${port}`;
		await waitFor(`${url}/readyz`, 'service');
		const target = { url: `${url}/webhooks/meta`, secret: appSecret };
		log('ours: warm-up');
		await load({ ...target, connections: 8, duration: 2, prefix: 'warm' });
		log(`ours: max throughput, ${OURS_CONNECTIONS} connections, ${DURATION} s`);
		const maxCpu = cpuMeter(service.pid, dataDir);
		const max = await load({
			...target,
			connections: OURS_CONNECTIONS,
			duration: DURATION,
			prefix: 'max',
			generator: MAX_GENERATOR,
		});
		const rss = rssMb(service.pid);
		const maxCpuPerWebhook = maxCpu.end(max.ok);
		log(`ours: fixed ${FIXED_RATE} requests/s, ${DURATION} s`);
		const fixedCpu = cpuMeter(service.pid, dataDir);
		const fixed = await load({
			...target,
			connections: 32,
			duration: DURATION,
			overallRate: FIXED_RATE,
			prefix: 'fixed',
		});
		const fixedCpuPerWebhook = fixedCpu.end(fixed.ok);
		const [{ stored }] = await query(
			databaseUrl,
			"SELECT count(*)::int AS stored FROM events WHERE dedupe_key LIKE 'wa.status:wamid.max.%'",
		);
		return { max, fixed, rss, stored, cpu: { max: maxCpuPerWebhook, fixed: fixedCpuPerWebhook } };
	} finally {
		service.kill('SIGTERM');
		await new Promise((resolve) => (service.exitCode !== null ? resolve() : service.once('exit', resolve)));
	}
}

async function benchN8n(databaseUrl) {
	const n8n = await startReferenceN8n(databaseUrl, log);
	try {
		const db = new URL(databaseUrl);
		const credential = await n8n.rest('POST', '/credentials', {
			name: 'Bench Postgres',
			type: 'postgres',
			data: {
				host: db.hostname,
				port: Number(db.port),
				database: db.pathname.slice(1),
				user: db.username,
				password: db.password,
				ssl: 'disable',
				allowUnauthorizedCerts: false,
				sshTunnel: false,
			},
		});
		await n8n.activate({
			name: 'Meta webhook → Postgres (bench reference)',
			nodes: [
				{
					parameters: { httpMethod: 'POST', path: 'meta-bench', responseMode: 'lastNode', options: {} },
					id: '0b5d8b7e-0000-4000-8000-000000000001',
					name: 'Webhook',
					type: 'n8n-nodes-base.webhook',
					typeVersion: 2,
					position: [0, 0],
					webhookId: '0b5d8b7e-0000-4000-8000-0000000000aa',
				},
				{
					parameters: {
						operation: 'executeQuery',
						query: 'INSERT INTO n8n_bench_events (payload) VALUES ($1::jsonb) RETURNING id',
						options: { queryReplacement: '={{ JSON.stringify($json.body) }}' },
					},
					id: '0b5d8b7e-0000-4000-8000-000000000002',
					name: 'Postgres',
					type: 'n8n-nodes-base.postgres',
					typeVersion: 2.6,
					position: [220, 0],
					credentials: { postgres: { id: credential.id, name: 'Bench Postgres' } },
				},
			],
			connections: { Webhook: { main: [[{ node: 'Postgres', type: 'main', index: 0 }]] } },
		});
		const url = `${n8n.url}/webhook/meta-bench`;
		log('n8n: warm-up');
		const warm = await load({ url, secret: 'unused-by-n8n', connections: 4, duration: 3, prefix: 'n8nwarm' });
		if (warm.ok === 0) throw new Error(`n8n workflow answered no 2xx during warm-up: ${JSON.stringify(warm)}`);
		log(`n8n: max throughput, ${N8N_CONNECTIONS} connections, ${DURATION} s`);
		const max = await load({
			url,
			secret: 'unused-by-n8n',
			connections: N8N_CONNECTIONS,
			duration: DURATION,
			prefix: 'n8nmax',
			generator: MAX_GENERATOR,
		});
		const rss = rssMb(n8n.pid);
		const [{ stored }] = await query(
			databaseUrl,
			"SELECT count(*)::int AS stored FROM n8n_bench_events WHERE payload::text LIKE '%wamid.n8nmax.%'",
		);
		return { max, rss, stored };
	} finally {
		await n8n.stop();
	}
}

async function main() {
	// The machines are shared: the 1-minute load average before and after says how noisy the run was.
	const loadStart = loadavg()[0];
	if (MAX_GENERATOR === 'autocannon' && !process.env.BENCH_LOAD)
		log(
			'wrk is not installed (apt-get install wrk): the most-throughput runs use autocannon, which takes more of the shared cores',
		);
	return withBenchPostgres('bench', async (databaseUrl, { dataDir }) => {
		await query(
			databaseUrl,
			'CREATE TABLE IF NOT EXISTS n8n_bench_events (id bigserial PRIMARY KEY, received_at timestamptz NOT NULL DEFAULT now(), payload jsonb NOT NULL)',
		);
		const ours = await benchOurs(databaseUrl, dataDir);
		log(`ours: ${ours.max.ok} × 200 in ${ours.max.seconds} s; p99 at ${FIXED_RATE}/s ${ours.fixed.p99_ms} ms`);
		await printPgStatements(Client, databaseUrl, log);
		const none = { ok: NaN, seconds: 1, non2xx: 0, errors: 0, p50_ms: null, p99_ms: null };
		const n8n = WITH_REFERENCE ? await benchN8n(databaseUrl) : { max: none, rss: null, stored: null };
		log(`n8n: ${n8n.max.ok} × 2xx in ${n8n.max.seconds} s`);
		const oursPerS = ours.max.ok / ours.max.seconds;
		const n8nPerS = n8n.max.ok / n8n.max.seconds;
		const round = (x, digits = 1) =>
			x === null || x === undefined || Number.isNaN(x) ? null : Math.round(x * 10 ** digits) / 10 ** digits;
		const figures = {
			bench: 'ingest',
			ours_per_s: round(oursPerS),
			n8n_per_s: round(n8nPerS),
			ratio: round(oursPerS / n8nPerS),
			p50_ms: ours.fixed.p50_ms,
			p99_ms: ours.fixed.p99_ms,
			fixed_rate_per_s: round(ours.fixed.ok / ours.fixed.seconds),
			ours_max_p50_ms: ours.max.p50_ms,
			ours_max_p99_ms: ours.max.p99_ms,
			n8n_p50_ms: n8n.max.p50_ms,
			n8n_p99_ms: n8n.max.p99_ms,
			ours_rss_mb: ours.rss,
			// CPU per stored webhook (µs) of the service and of Postgres in each of our two runs (from /proc).
			ours_max_service_cpu_us: ours.cpu.max.service_cpu_us_per_event,
			ours_max_postgres_cpu_us: ours.cpu.max.postgres_cpu_us_per_event,
			ours_fixed_service_cpu_us: ours.cpu.fixed.service_cpu_us_per_event,
			ours_fixed_postgres_cpu_us: ours.cpu.fixed.postgres_cpu_us_per_event,
			n8n_rss_mb: n8n.rss,
			ours_stored_at_least_200s: ours.stored >= ours.max.ok,
			n8n_stored: n8n.stored,
			ours_non2xx: ours.max.non2xx + ours.fixed.non2xx + ours.max.errors + ours.fixed.errors,
			n8n_non2xx: n8n.max.non2xx + n8n.max.errors,
			load_generator: MAX_GENERATOR,
			ours_connections: OURS_CONNECTIONS,
			n8n_connections: N8N_CONNECTIONS,
			seconds: DURATION,
			load_1m_start: round(loadStart, 2),
			load_1m_end: round(loadavg()[0], 2),
		};
		process.stdout.write(`${JSON.stringify(figures)}\n`);
	});
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
