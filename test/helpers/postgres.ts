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
	return {
		name,
		url,
		pool,
		async drop() {
			await pool.end();
			await admin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
		},
	};
}
