// `npm run service`: the service alone. Without DATABASE_URL it runs on an embedded Postgres whose
// data is kept in SERVICE_DATA_DIR.
import { resolve } from 'node:path';
import { Pool } from 'pg';
import { createApp } from './app';
import { ConfigError, loadConfig } from './config';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from './db/embedded';

const VERSION: string = require('../package.json').version;

async function main(): Promise<void> {
	const config = loadConfig();
	let embedded: EmbeddedPostgresHandle | undefined;
	let databaseUrl = config.DATABASE_URL;
	if (!databaseUrl) {
		embedded = await startEmbeddedPostgres({ dataDir: resolve(config.SERVICE_DATA_DIR), persistent: true });
		databaseUrl = await embedded.ensureDatabase('tiltedprompts');
	}
	const pool = new Pool({ connectionString: databaseUrl });
	const app = createApp({ pool, version: VERSION });
	const server = app.listen(config.PORT, config.HOST, () => {
		const address = server.address();
		const port = typeof address === 'object' && address ? address.port : config.PORT;
		console.log(JSON.stringify({ level: 'info', msg: 'service listening', port }));
	});

	let stopping = false;
	const stop = async (signal: string) => {
		if (stopping) return;
		stopping = true;
		console.log(JSON.stringify({ level: 'info', msg: 'service stopping', signal }));
		await new Promise<void>((done) => server.close(() => done()));
		await pool.end();
		if (embedded) await embedded.stop();
		process.exit(0);
	};
	process.on('SIGINT', () => void stop('SIGINT'));
	process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
	console.error(error instanceof ConfigError ? error.message : error);
	process.exit(1);
});
