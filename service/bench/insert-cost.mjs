// What the event store's insert costs Postgres per webhook, by batch size: the statement the service
// runs for a batch of status webhooks (`insertPayloadsAndEvents`, a named prepared statement,
// committed on its own), run back to back on one connection against embedded Postgres, with the
// Postgres backend's CPU time (user + system, from /proc), this process's CPU time (building the
// statement's parameters, pg's encoding and its parsing of the result) and the wall time per webhook. Batch sizes
// are alternated over rounds so that a noisy machine touches them alike.
//   node service/bench/insert-cost.mjs            (after `npm run -s build -w service`)
//   BENCH_BATCH_SIZES=1,8,32,128 BENCH_WEBHOOKS=9600 BENCH_ROUNDS=3
// Progress goes to stderr; the last stdout line is one JSON object of figures (medians of the rounds).
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuMs } from './service-env.mjs';
import { statusWebhookBody } from './status-webhook.mjs';

const require = createRequire(import.meta.url);
const { startEmbeddedPostgres } = require('../dist/db/embedded.js');
const { migrate } = require('../dist/db/migrate.js');
const { insertPayloadsAndEvents } = require('../dist/db/events.js');
const { normalizeMetaPayload } = require('../dist/core/meta-events.js');
const { Pool } = require('pg');

const SIZES = (process.env.BENCH_BATCH_SIZES ?? '1,8,32,128').split(',').map(Number);
const WEBHOOKS = Number(process.env.BENCH_WEBHOOKS ?? 9600);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const log = (msg) => process.stderr.write(`[bench:insert-cost] ${msg}\n`);

let sequence = 0;
function payload() {
	const text = statusWebhookBody(`wamid.cost.${++sequence}`);
	return {
		source: 'meta',
		rawBody: Buffer.from(text),
		events: normalizeMetaPayload(JSON.parse(text), new Date(), text),
	};
}

async function measure(url, size) {
	const pool = new Pool({ connectionString: url, max: 1 });
	try {
		await migrate(pool);
		const client = await pool.connect();
		try {
			const [{ pid }] = (await client.query('SELECT pg_backend_pid() AS pid')).rows;
			const batch = () => Array.from({ length: size }, payload);
			// Warm-up: the statement is prepared, and after five runs Postgres settles on its plan.
			for (let i = 0; i < 20; i++) await insertPayloadsAndEvents(client, batch(), { prepared: true });
			const batches = Array.from({ length: Math.ceil(WEBHOOKS / size) }, batch);
			const cpu0 = cpuMs(pid);
			const own0 = process.cpuUsage();
			const t0 = performance.now();
			for (const inputs of batches) await insertPayloadsAndEvents(client, inputs, { prepared: true });
			const webhooks = batches.length * size;
			const own = process.cpuUsage(own0);
			return {
				pg_us: Math.round(((cpuMs(pid) - cpu0) * 1000) / webhooks),
				client_us: Math.round((own.user + own.system) / webhooks),
				wall_us: Math.round(((performance.now() - t0) * 1000) / webhooks),
			};
		} finally {
			client.release();
		}
	} finally {
		await pool.end();
	}
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const parent = mkdtempSync(join(tmpdir(), 'tp-bench-pg-'));
chmodSync(parent, 0o755);
const pg = await startEmbeddedPostgres({ dataDir: join(parent, 'data'), persistent: false });
try {
	const runs = new Map(SIZES.map((size) => [size, []]));
	for (let round = 1; round <= ROUNDS; round++) {
		for (const size of SIZES) {
			const figures = await measure(await pg.ensureDatabase(`cost_${size}_${round}`), size);
			runs.get(size).push(figures);
			log(
				`round ${round}, batches of ${size}: Postgres ${figures.pg_us} µs CPU, this process ${figures.client_us} µs CPU, ${figures.wall_us} µs wall per webhook`,
			);
		}
	}
	const bySize = Object.fromEntries(
		[...runs].map(([size, figures]) => [
			size,
			{
				pg_cpu_us_per_webhook: median(figures.map((f) => f.pg_us)),
				client_cpu_us_per_webhook: median(figures.map((f) => f.client_us)),
				wall_us_per_webhook: median(figures.map((f) => f.wall_us)),
				pg_cpu_us_runs: figures.map((f) => f.pg_us),
			},
		]),
	);
	process.stdout.write(
		`${JSON.stringify({ bench: 'insert-cost', webhooks_per_run: WEBHOOKS, rounds: ROUNDS, batch: bySize })}\n`,
	);
} finally {
	await pg.stop();
	rmSync(parent, { recursive: true, force: true });
}
