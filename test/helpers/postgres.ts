// A fresh database per test file on the run's shared Postgres (see global-setup.ts).
import { randomBytes } from 'node:crypto';
import { Client, Pool } from 'pg';

export function adminUrl(): string {
	const url = process.env.TP_TEST_PG_URL;
	if (!url) throw new Error('TP_TEST_PG_URL is not set: run the tests through jest (npm test).');
	return url;
}

function withDatabase(url: string, database: string): string {
	const parsed = new URL(url);
	parsed.pathname = `/${database}`;
	return parsed.toString();
}

async function admin<T>(fn: (client: Client) => Promise<T>): Promise<T> {
	const client = new Client({ connectionString: adminUrl() });
	await client.connect();
	try {
		return await fn(client);
	} finally {
		await client.end();
	}
}

export interface TestDatabase {
	name: string;
	url: string;
	pool: Pool;
	drop(): Promise<void>;
}

/** Creates an empty database with a unique name; `drop()` removes it (call it in afterAll). */
export async function createTestDatabase(prefix = 'test'): Promise<TestDatabase> {
	const name = `${prefix}_${randomBytes(6).toString('hex')}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
	await admin((client) => client.query(`CREATE DATABASE "${name}"`));
	const url = withDatabase(adminUrl(), name);
	const pool = new Pool({ connectionString: url, max: 10 });
	let dropping = false;
	// An idle connection that breaks emits 'error' on the pool; without a listener that is an uncaught
	// exception that fails the whole file. The service logs it (main.ts); a test reports it, except while
	// the database is being dropped, when connections ending is the point.
	pool.on('error', (error) => {
		if (!dropping) console.warn(`idle connection to ${name} lost: ${error.message}`);
	});
	return {
		name,
		url,
		pool,
		async drop() {
			dropping = true;
			// pool.end() resolves before its clients have finished disconnecting: wait for their backends
			// to go, so that FORCE only ever terminates a connection something forgot to release.
			await pool.end();
			await admin(async (client) => {
				const until = Date.now() + 5_000;
				for (;;) {
					const { rows } = await client.query<{ n: number }>(
						'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1',
						[name],
					);
					if (rows[0].n === 0 || Date.now() > until) break;
					await new Promise((r) => setTimeout(r, 20));
				}
				await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
			});
		},
	};
}
