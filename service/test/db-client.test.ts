// The one way the service works on a checked-out client (src/db/client.ts), against real sessions
// terminated the way an administrator or a failover does it.
import { createTestDatabase, type TestDatabase } from '../../test/helpers/postgres';
import { DatabaseUnavailableError, withClient, withTransaction } from '../src/db/client';

describe('withClient / withTransaction', () => {
	let db: TestDatabase;

	beforeAll(async () => {
		db = await createTestDatabase('dbclient');
		await db.pool.query('CREATE TABLE notes (id int PRIMARY KEY)');
	});
	afterAll(() => db.drop());

	const terminate = (pid: number) => db.pool.query('SELECT pg_terminate_backend($1)', [pid]);

	it('survives a session terminated between two queries: typed error, client discarded, pool serves again', async () => {
		let pid = 0;
		const attempt = withTransaction(db.pool, async (client) => {
			pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
			await client.query('INSERT INTO notes (id) VALUES (1)');
			await terminate(pid);
			// The server's goodbye arrives as an 'error' event while no query runs (unheard, it ends the process).
			await new Promise((resolve) => setTimeout(resolve, 200));
			await client.query('INSERT INTO notes (id) VALUES (2)');
		});
		await expect(attempt).rejects.toBeInstanceOf(DatabaseUnavailableError);
		// Nothing of the transaction was kept, and the broken client was not handed out again.
		const { rows } = await db.pool.query<{ n: number; pids: number[] }>(
			'SELECT (SELECT count(*)::int FROM notes) AS n, (SELECT array_agg(pid) FROM pg_stat_activity WHERE datname = current_database()) AS pids',
		);
		expect(rows[0].n).toBe(0);
		expect(rows[0].pids).not.toContain(pid);
		await withClient(db.pool, async (client) => expect((await client.query('SELECT 1 AS one')).rows[0].one).toBe(1));
	});

	it('reports a session terminated during a query as unavailable, not as a bad statement', async () => {
		const attempt = withClient(db.pool, async (client) => {
			const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
			await Promise.all([client.query('SELECT pg_sleep(5)'), terminate(pid)]);
		});
		await expect(attempt).rejects.toMatchObject({ code: 'database_unavailable' });
	});

	it('never passes an aborted transaction off as committed', async () => {
		const attempt = withTransaction(db.pool, async (client) => {
			await client.query('INSERT INTO notes (id) VALUES (10)');
			// A failure swallowed inside the work leaves the transaction aborted: Postgres answers
			// COMMIT with ROLLBACK, and that must not look like success.
			await client.query('INSERT INTO notes (id) VALUES (10)').catch(() => undefined);
			return 'done';
		});
		await expect(attempt).rejects.toThrow(/rolled back/);
		expect((await db.pool.query('SELECT count(*)::int AS n FROM notes WHERE id = 10')).rows[0].n).toBe(0);
	});

	it('passes a bad statement through unchanged and keeps the client healthy', async () => {
		const error = await withTransaction(db.pool, (client) => client.query('SELEC 1')).catch((e: unknown) => e);
		expect(error).not.toBeInstanceOf(DatabaseUnavailableError);
		expect((error as { code?: string }).code).toBe('42601');
		expect(db.pool.idleCount).toBeGreaterThan(0);
	});
});
