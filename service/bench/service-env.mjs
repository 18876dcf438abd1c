// What every benchmark needs to run the service: its environment (fresh secrets, loopback, quiet
// logs) and its CLI (users, keys). Used by service/bench/ingest.mjs, fanout.mjs and bench/scale.mjs.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
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
