// What every benchmark needs to run the service: its environment (fresh secrets, loopback, quiet
// logs) and its CLI (users, keys); the bench's Postgres and a process's RSS. Used by service/bench/
// ingest.mjs, fanout.mjs, and bench/scale.mjs and campaign.mjs.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SERVICE_MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'main.js');

/** The service's environment for a bench run on `port` against `databaseUrl`; `extra` adds or overrides. */
export function benchServiceEnv({ port, databaseUrl, appSecret }, extra = {}) {
	return {
		...process.env,
		PORT: String(port),
		HOST: '127.0.0.1',
		DATABASE_URL: databaseUrl,
		META_APP_SECRETS: appSecret,
		META_VERIFY_TOKEN: randomBytes(12).toString('hex'),
		INGEST_SIGNING_SECRETS: `whsec_${randomBytes(32).toString('base64')}`,
		ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
		LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
		...extra,
	};
}

/** Runs the service's CLI with `env` and returns its last stdout line (an id or a key). */
export function serviceCli(env, args) {
	const out = execFileSync(process.execPath, [SERVICE_MAIN, ...args], { env, stdio: ['ignore', 'pipe', 'ignore'] })
		.toString('utf8')
		.trim()
		.split('\n');
	return out[out.length - 1];
}

// BENCH_PG_STATEMENTS=1: Postgres runs with pg_stat_statements and, before it stops, the bench prints
// (to stderr) the statements that took the most of its time: where the database's time goes.
const PG_STATEMENTS = process.env.BENCH_PG_STATEMENTS === '1';

// BENCH_PG_SETTINGS: more server settings for a look inside Postgres, `name=value` separated by spaces
// (e.g. auto_explain's: `shared_preload_libraries=auto_explain auto_explain.log_min_duration=0
// auto_explain.log_analyze=on auto_explain.sample_rate=0.02`); BENCH_PG_LOG names a file that keeps
// the server's log (the bench's data folder is removed at the end). A shared_preload_libraries here
// replaces BENCH_PG_STATEMENTS's: with both, name both (`pg_stat_statements,auto_explain`).
const PG_SETTINGS = (process.env.BENCH_PG_SETTINGS ?? '').split(' ').filter(Boolean);
const PG_LOG = process.env.BENCH_PG_LOG;

/** Extra `postgres` flags for startEmbeddedPostgres (none unless BENCH_PG_STATEMENTS=1 or BENCH_PG_SETTINGS). */
export function benchPostgresFlags() {
	const statements = PG_STATEMENTS
		? ['-c', 'shared_preload_libraries=pg_stat_statements', '-c', 'pg_stat_statements.track=all']
		: [];
	return [...statements, ...PG_SETTINGS.flatMap((setting) => ['-c', setting])];
}

/** Prints the top statements by total execution time (BENCH_PG_STATEMENTS=1 only). */
export async function printPgStatements(Client, databaseUrl, log, top = 15) {
	if (!PG_STATEMENTS) return;
	const db = new Client({ connectionString: databaseUrl });
	await db.connect();
	try {
		await db.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
		const { rows } = await db.query(
			`SELECT calls, round(total_exec_time::numeric, 1) AS total_ms, round(mean_exec_time::numeric, 3) AS mean_ms, round(max_exec_time::numeric, 1) AS max_ms,
			   rows, round((100 * total_exec_time / sum(total_exec_time) OVER ())::numeric, 1) AS pct,
			   left(regexp_replace(query, '\\s+', ' ', 'g'), 110) AS query
			 FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT $1`,
			[top],
		);
		const [database] = (
			await db.query('SELECT deadlocks, xact_rollback FROM pg_stat_database WHERE datname = current_database()')
		).rows;
		log(`deadlocks ${database.deadlocks}, rolled back transactions ${database.xact_rollback}`);
		log('Postgres statements by total execution time:');
		for (const r of rows)
			log(
				`  ${r.pct}% ${r.total_ms} ms, ${r.calls} calls, ${r.mean_ms} ms each (at most ${r.max_ms}), ${r.rows} rows: ${r.query}`,
			);
	} finally {
		await db.end();
	}
}

/** The fields of /proc/<pid>/stat after the command name (state first), or null once it is gone. */
function procStat(pid) {
	try {
		return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
	} catch {
		return null;
	}
}

/** /proc counts CPU time in USER_HZ, 100 on Linux: ticks → ms. */
const ticksToMs = (ticks) => (ticks * 1000) / 100;

/** CPU time (ms) process `pid` has used, user + system (null once it is gone). */
export function cpuMs(pid) {
	const fields = procStat(pid);
	return fields ? ticksToMs(Number(fields[11]) + Number(fields[12])) : null;
}

/**
 * CPU time (ms) a Postgres server has used, user + system: the postmaster with the processes it has
 * reaped (backends that ended) and every process it runs now (backends, WAL writer, autovacuum, …).
 */
export function postgresCpuMs(dataDir) {
	const postmaster = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
	let ticks = 0;
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		const fields = procStat(entry);
		if (!fields) continue; // ended meanwhile
		if (Number(entry) === postmaster)
			ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
		else if (Number(fields[1]) === postmaster) ticks += Number(fields[11]) + Number(fields[12]);
	}
	return ticksToMs(ticks);
}

/**
 * CPU per event (µs) of the service process and of Postgres from now until `end(events)`, given the
 * number of events handled meanwhile.
 */
export function cpuMeter(servicePid, dataDir) {
	const service0 = cpuMs(servicePid);
	const postgres0 = postgresCpuMs(dataDir);
	return {
		end(events) {
			const per = (ms) => (events > 0 ? Math.round((ms * 1000) / events) : null);
			return {
				service_cpu_us_per_event: per(cpuMs(servicePid) - service0),
				postgres_cpu_us_per_event: per(postgresCpuMs(dataDir) - postgres0),
			};
		},
	};
}

/** The resident memory of process `pid` in MB (null once it is gone). */
export function rssMb(pid) {
	try {
		const line = readFileSync(`/proc/${pid}/status`, 'utf8')
			.split('\n')
			.find((l) => l.startsWith('VmRSS:'));
		return line ? Math.round(Number(line.replace(/\D+/g, '')) / 1024) : null;
	} catch {
		return null;
	}
}

/**
 * Runs `fn(databaseUrl, { dataDir })` against a fresh embedded Postgres (flags of
 * benchPostgresFlags) with the databases `database` and n8n_internal (the reference n8n's), then
 * stops it and removes its files. `dataDir` is the server's folder (for `postgresCpuMs`).
 */
export async function withBenchPostgres(database, fn) {
	const { startEmbeddedPostgres } = createRequire(import.meta.url)('../dist/db/embedded.js');
	const parent = mkdtempSync(join(tmpdir(), 'tp-bench-pg-'));
	chmodSync(parent, 0o755);
	const pg = await startEmbeddedPostgres({
		dataDir: join(parent, 'data'),
		persistent: false,
		postgresFlags: benchPostgresFlags(),
		...(PG_LOG ? { onLog: (line) => appendFileSync(PG_LOG, `${line}\n`) } : {}),
	});
	try {
		const databaseUrl = await pg.ensureDatabase(database);
		await pg.ensureDatabase('n8n_internal');
		return await fn(databaseUrl, { dataDir: pg.dataDir });
	} finally {
		await pg.stop();
		rmSync(parent, { recursive: true, force: true });
	}
}
