// Run queries as a Supabase role, exactly as PostgREST does (GUIDE §4): inside a transaction,
// `SET LOCAL ROLE <role>` and `set_config('request.jwt.claims', <claims json>, true)`. The same
// row-level security policies then protect Supabase's REST API and this service.
import type { Pool, PoolClient } from 'pg';
import { withTransaction } from './client';

export type DbRole = 'anon' | 'authenticated' | 'service_role';

export interface JwtClaims {
	role: DbRole;
	sub?: string;
	[claim: string]: unknown;
}

/** Runs fn(client) in a transaction as `role` with `claims`; commits on success, rolls back on error. */
export function withClaims<T>(pool: Pool, claims: JwtClaims, fn: (client: PoolClient) => Promise<T>): Promise<T> {
	return withTransaction(pool, async (client) => {
		// The role name comes from the DbRole union, never from input; claims are a parameter.
		if (!['anon', 'authenticated', 'service_role'].includes(claims.role))
			throw new Error(`unknown role ${String(claims.role)}`);
		await client.query(`SET LOCAL ROLE ${claims.role}`);
		await client.query("SELECT set_config('request.jwt.claims', $1, true)", [JSON.stringify(claims)]);
		return fn(client);
	});
}

/** As the given user (`authenticated`, `sub` = userId): what a user's API key may see. */
export function withUser<T>(pool: Pool, userId: string, fn: (client: PoolClient) => Promise<T>): Promise<T> {
	return withClaims(pool, { role: 'authenticated', sub: userId, aud: 'authenticated' }, fn);
}

/** As `service_role` (bypasses row-level security). */
export function withServiceRole<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
	return withClaims(pool, { role: 'service_role' }, fn);
}

/** As `anon` (no user). */
export function withAnon<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
	return withClaims(pool, { role: 'anon' }, fn);
}
