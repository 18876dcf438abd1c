import type { Pool, PoolClient } from 'pg';

/** Runs fn in a transaction on the service's own connection (committed on success). */
export async function inTransaction<T>(pool: Pool, fn: (tx: PoolClient) => Promise<T>): Promise<T> {
	const client = await pool.connect();
	try {
		await client.query('BEGIN');
		const result = await fn(client);
		await client.query('COMMIT');
		client.release();
		return result;
	} catch (error) {
		await client.query('ROLLBACK').catch(() => undefined);
		client.release();
		throw error;
	}
}
