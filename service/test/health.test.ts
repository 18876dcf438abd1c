// /healthz answers while the process runs; /readyz only while the database answers and every
// migration is applied.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'pg';
import { createApp } from '../src/app';
import { freePort } from '../src/db/embedded';
import { migrate } from '../src/db/migrate';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/postgres';
import { json } from './helpers';

async function listen(pool: Pool): Promise<{ url: string; server: Server }> {
	const server = createApp({ pool, version: '9.9.9' }).listen(0, '127.0.0.1');
	await new Promise((resolve) => server.once('listening', resolve));
	return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('health endpoints', () => {
	let db: TestDatabase;
	beforeAll(async () => {
		db = await createTestDatabase('health');
	});
	afterAll(async () => {
		await db.drop();
	});

	it('is not ready until the migrations are applied, then ready', async () => {
		const { server, url } = await listen(db.pool);
		try {
			const health = await fetch(`${url}/healthz`);
			expect(health.status).toBe(200);
			expect(await json(health)).toMatchObject({ status: 'ok', version: '9.9.9' });
			const pending = await fetch(`${url}/readyz`);
			expect(pending.status).toBe(503);
			expect((await json(pending)).error).toMatchObject({
				code: 'migrations_pending',
				details: { pending: expect.arrayContaining(['100_auth_shim.sql']) },
			});
			await migrate(db.pool);
			const ready = await fetch(`${url}/readyz`);
			expect(ready.status).toBe(200);
			expect(await json(ready)).toEqual({ status: 'ready' });
		} finally {
			server.close();
		}
	});

	it('answers /readyz with 503 and a JSON error when the database is unreachable', async () => {
		const pool = new Pool({
			connectionString: `postgres://nobody:nothing@127.0.0.1:${await freePort()}/none`,
			connectionTimeoutMillis: 2000,
		});
		const { server, url } = await listen(pool);
		try {
			expect((await fetch(`${url}/healthz`)).status).toBe(200);
			const ready = await fetch(`${url}/readyz`);
			expect(ready.status).toBe(503);
			expect(Number(ready.headers.get('retry-after'))).toBeGreaterThan(0);
			expect(await json(ready)).toEqual({ error: expect.objectContaining({ code: 'database_unavailable' }) });
		} finally {
			server.close();
			await pool.end();
		}
	});
});
