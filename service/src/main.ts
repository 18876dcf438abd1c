// `npm run service`: the service alone. Without DATABASE_URL it runs on an embedded Postgres whose
// data is kept in SERVICE_DATA_DIR. Start-up: validate config → database → migrations → listen.
// SIGTERM/SIGINT: stop accepting, drain in-flight requests (up to SHUTDOWN_TIMEOUT_MS), let the event
// store's writes finish (up to STORE_SETTLE_MS), stop the fan-out worker and the retention sweeper,
// close the pool.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Pool } from 'pg';
import { createApiModule } from './api';
import { createApp } from './app';
import { fanoutMetrics } from './fanout/metrics';
import { runCli } from './cli';
import { ConfigError, loadConfig } from './config';
import { backoffDelay, isConnectionError } from './db/client';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from './db/embedded';
import { migrate } from './db/migrate';
import { createLogger, type Logger } from './logger';
import { createMetrics } from './metrics';
import { createRetentionSweeper } from './retention/sweeper';
import { serve } from './server';

/** How long shutdown waits for webhook writes still running after the HTTP drain. */
const STORE_SETTLE_MS = 5_000;
const VERSION: string = (JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string })
	.version;

/** Migrations at start-up; while the database is not reachable yet, waits and tries again (no exit). */
async function migrateWhenReachable(pool: Pool, logger: Logger): Promise<{ applied: string[] }> {
	for (let attempt = 1; ; attempt++) {
		try {
			return await migrate(pool, { log: (msg) => logger.info(msg) });
		} catch (error) {
			if (!isConnectionError(error)) throw error;
			const retryInMs = backoffDelay(attempt, 500, 10_000);
			logger.warn(
				{ err: { message: (error as Error).message }, retryInMs },
				'database not reachable yet; trying again',
			);
			await new Promise((resolve) => setTimeout(resolve, retryInMs));
		}
	}
}

async function main(): Promise<void> {
	const config = loadConfig();
	const logger = createLogger(config.LOG_LEVEL);
	let embedded: EmbeddedPostgresHandle | undefined;
	let databaseUrl = config.DATABASE_URL;
	if (!databaseUrl) {
		embedded = await startEmbeddedPostgres({ dataDir: resolve(config.SERVICE_DATA_DIR), persistent: true });
		databaseUrl = await embedded.ensureDatabase('tiltedprompts');
		logger.info({ dataDir: resolve(config.SERVICE_DATA_DIR) }, 'embedded Postgres started');
	}
	const pool = new Pool({
		connectionString: databaseUrl,
		max: config.DATABASE_POOL_SIZE,
		connectionTimeoutMillis: 5000,
	});
	// An idle client losing its connection (database restart) must not crash the process.
	pool.on('error', (error) => logger.warn({ err: { message: error.message } }, 'idle database connection lost'));

	const { applied } = await migrateWhenReachable(pool, logger);
	logger.info({ applied: applied.length }, 'migrations up to date');

	const metrics = createMetrics();
	const api = createApiModule({
		pool,
		onAttempt: fanoutMetrics(metrics.registry),
		preparedStatements: config.DATABASE_PREPARED_STATEMENTS,
		encryptionKeys: config.ENCRYPTION_KEYS,
		settings: config,
		bodyLimitBytes: config.BODY_LIMIT_BYTES,
		log: (level, msg, fields) => logger[level](fields ?? {}, msg),
	});
	const app = createApp({ pool, version: VERSION, config, logger, metrics, hooks: api.hooks, routers: [api] });
	const server = await serve(app, { port: config.PORT, host: config.HOST });
	logger.info({ port: server.port, host: config.HOST }, 'service listening');
	await api.worker?.start();
	const sweeper = createRetentionSweeper({
		pool,
		settings: config,
		log: (level, msg, fields) => logger[level](fields ?? {}, msg),
	});
	sweeper.start();

	let stopping = false;
	const stop = async (signal: string) => {
		if (stopping) return;
		stopping = true;
		logger.info({ signal }, 'service stopping: draining in-flight requests');
		const drained = await server.close(config.SHUTDOWN_TIMEOUT_MS);
		if (!drained)
			logger.warn({ timeoutMs: config.SHUTDOWN_TIMEOUT_MS }, 'shutdown timeout: closed remaining connections');
		// Webhooks whose connection the drain closed may still be writing: let them finish while the
		// worker and the pool still run (the deliveries they claimed are sent; the worker's stop waits).
		if (!((await app.locals.eventStore?.settled(STORE_SETTLE_MS)) ?? true))
			logger.warn(
				{ timeoutMs: STORE_SETTLE_MS },
				'shutdown: webhook writes still running; deliveries they claim are sent by any instance once their lease runs out',
			);
		await api.worker?.stop();
		await sweeper.stop();
		await pool.end();
		if (embedded) await embedded.stop();
		logger.info('service stopped');
		process.exit(0);
	};
	process.on('SIGINT', () => void stop('SIGINT'));
	process.on('SIGTERM', () => void stop('SIGTERM'));
}

// `npm run service -- users …|keys …`: the management CLI (same DATABASE_URL); no arguments: the server.
const run = process.argv.length > 2 ? () => runCli(process.argv.slice(2)).then((code) => process.exit(code)) : main;
run().catch((error: unknown) => {
	console.error(error instanceof ConfigError ? error.message : error);
	process.exit(1);
});
