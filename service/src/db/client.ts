// The one way the service works on a client checked out of the pool. While a client is out, the
// pool no longer listens to it: a connection that breaks between two queries (a failover, a pooler
// restart, `pg_terminate_backend`) emits an asynchronous 'error' that, unheard, would end the
// process. `withClient` listens for the whole time the client is out, hands the client back as
// broken (`release(err)`, so the pool drops it) after any connection-level error, and turns such
// errors into `DatabaseUnavailableError` (the HTTP layer answers 503 with Retry-After).
import type { Pool, PoolClient } from 'pg';

/** The database is unreachable or went away mid-work; nothing of the work is known to be committed. */
export class DatabaseUnavailableError extends Error {
	readonly code = 'database_unavailable';
	constructor(readonly cause: unknown) {
		super(`The database is unavailable: ${(cause as Error | undefined)?.message ?? String(cause)}`);
	}
}

// Connection exceptions (class 08), admin/crash shutdown and "cannot connect now" (57P01-57P03),
// too many connections (53300), and the socket-level errors of node and pg.
const CONNECTION_CODES = new Set([
	'ECONNREFUSED',
	'ECONNRESET',
	'EPIPE',
	'ETIMEDOUT',
	'ENOTFOUND',
	'EAI_AGAIN',
	'EHOSTUNREACH',
	'57P01',
	'57P02',
	'57P03',
	'53300',
]);
const CONNECTION_MESSAGES =
	/Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|not queryable|Client was closed/i;

/** The database is unreachable or went away (as opposed to a bad statement). */
export function isConnectionError(error: unknown): boolean {
	if (error instanceof DatabaseUnavailableError) return true;
	const e = error as { code?: unknown; message?: unknown } | undefined;
	if (!e || typeof e !== 'object') return false;
	if (typeof e.code === 'string' && (CONNECTION_CODES.has(e.code) || /^08[0-9A-Z]{3}$/.test(e.code))) return true;
	return typeof e.message === 'string' && CONNECTION_MESSAGES.test(e.message);
}

/** `error` as thrown to callers: connection-level errors become `DatabaseUnavailableError`. */
export function unavailableOr(error: unknown): unknown {
	return isConnectionError(error) && !(error instanceof DatabaseUnavailableError)
		? new DatabaseUnavailableError(error)
		: error;
}

/**
 * `pool.connect()` with `onError` attached in the same tick the pool hands the client over. (With the
 * promise form, the rest of the network chunk that completed the connection is parsed before an
 * `await` resumes: a termination notice in it would find no listener and end the process.)
 */
function checkout(pool: Pool, onError: (error: Error) => void): Promise<PoolClient> {
	return new Promise((resolve, reject) => {
		pool.connect((error, client) => {
			if (error || !client) return reject(unavailableOr(error ?? new Error('the pool returned no client')));
			client.on('error', onError);
			resolve(client);
		});
	});
}

/**
 * Runs `fn` on a client checked out of `pool` and always gives it back: healthy, or as broken after
 * a connection-level error (the pool then discards it). `lost` aborts when the connection breaks
 * while the client is out (for long holders such as a LISTEN connection).
 */
export async function withClient<T>(pool: Pool, fn: (client: PoolClient, lost: AbortSignal) => Promise<T>): Promise<T> {
	const lost = new AbortController();
	let broken: Error | undefined;
	const onError = (error: Error) => {
		broken ??= error;
		lost.abort(error);
	};
	const client = await checkout(pool, onError);
	try {
		return await fn(client, lost.signal);
	} catch (error) {
		if (!broken && isConnectionError(error)) broken = error as Error;
		throw broken ? unavailableOr(isConnectionError(error) ? error : broken) : error;
	} finally {
		client.off('error', onError);
		client.release(broken);
	}
}

/**
 * Runs `fn` in a transaction (`BEGIN` … `COMMIT`, `ROLLBACK` on error) on a checked-out client. It
 * resolves only once Postgres reported the COMMIT done: a transaction that was aborted underneath
 * (Postgres answers such a COMMIT with ROLLBACK) throws instead of passing for committed.
 */
export function withTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
	return withClient(pool, async (client) => {
		await client.query('BEGIN');
		let result: T;
		try {
			result = await fn(client);
		} catch (error) {
			await client.query('ROLLBACK').catch(() => undefined);
			throw error;
		}
		const commit = await client.query('COMMIT');
		if (commit.command !== 'COMMIT')
			throw new Error(`the transaction was rolled back (Postgres answered ${commit.command} to COMMIT)`);
		return result;
	});
}

/** Delay before retry number `failures` (1 = after the first failure): doubling from `initialMs`, capped at `maxMs`. */
export function backoffDelay(failures: number, initialMs: number, maxMs: number): number {
	return Math.min(maxMs, initialMs * 2 ** Math.max(0, Math.min(failures - 1, 30)));
}
