// Users and API keys in Postgres (the CLI and the API's authentication use this).
import type { Pool, PoolClient } from 'pg';
import { generateApiKey, hashApiKey, looksLikeApiKey, type Scope } from './api-keys';

type Db = Pool | PoolClient;

interface UserRow {
	id: string;
	email: string;
	tier: 'free' | 'pro';
	created_at: Date;
}

interface ApiKeyRow {
	id: string;
	user_id: string;
	email: string;
	name: string | null;
	prefix: string;
	scopes: string[];
	created_at: Date;
	last_used_at: Date | null;
	revoked_at: Date | null;
}

export interface Principal {
	keyId: string;
	userId: string;
	email: string;
	tier: 'free' | 'pro';
	scopes: string[];
}

export class AccessError extends Error {
	constructor(
		readonly code: 'user_exists' | 'user_not_found' | 'key_not_found',
		message: string,
	) {
		super(message);
	}
}

export async function createUser(db: Db, email: string, tier: 'free' | 'pro'): Promise<UserRow> {
	const { rows } = await db.query<UserRow>(
		`INSERT INTO users (email, tier) VALUES ($1, $2)
		 ON CONFLICT (lower(email)) DO NOTHING
		 RETURNING id, email, tier, created_at`,
		[email.trim(), tier],
	);
	if (!rows[0]) throw new AccessError('user_exists', `A user with the email ${email} already exists.`);
	return rows[0];
}

export async function findUser(db: Db, emailOrId: string): Promise<UserRow | undefined> {
	const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(emailOrId);
	const { rows } = await db.query<UserRow>(
		`SELECT id, email, tier, created_at FROM users WHERE ${isUuid ? 'id = $1::uuid' : 'lower(email) = lower($1)'}`,
		[emailOrId.trim()],
	);
	return rows[0];
}

export async function listUsers(db: Db): Promise<UserRow[]> {
	const { rows } = await db.query<UserRow>('SELECT id, email, tier, created_at FROM users ORDER BY created_at, id');
	return rows;
}

export async function setUserTier(db: Db, userId: string, tier: 'free' | 'pro'): Promise<void> {
	await db.query('UPDATE users SET tier = $2 WHERE id = $1', [userId, tier]);
}

/** Creates a key for a user; the returned `key` is the only time the secret exists in clear. */
export async function createApiKey(
	db: Db,
	userId: string,
	scopes: readonly Scope[],
	name?: string,
): Promise<{ id: string; key: string; prefix: string; scopes: string[] }> {
	const generated = generateApiKey();
	const { rows } = await db.query<{ id: string }>(
		'INSERT INTO api_keys (user_id, name, prefix, key_hash, scopes) VALUES ($1, $2, $3, $4, $5) RETURNING id',
		[userId, name ?? null, generated.prefix, generated.hash, [...scopes]],
	);
	return { id: rows[0].id, key: generated.key, prefix: generated.prefix, scopes: [...scopes] };
}

export async function listApiKeys(db: Db, userId?: string): Promise<ApiKeyRow[]> {
	const { rows } = await db.query<ApiKeyRow>(
		`SELECT k.id, k.user_id, u.email, k.name, k.prefix, k.scopes, k.created_at, k.last_used_at, k.revoked_at
		 FROM api_keys k JOIN users u ON u.id = k.user_id
		 WHERE $1::uuid IS NULL OR k.user_id = $1::uuid
		 ORDER BY k.created_at, k.id`,
		[userId ?? null],
	);
	return rows;
}

/** Revokes a key by id (or by its prefix as shown in lists). Revocation takes effect on the next request. */
export async function revokeApiKey(db: Db, idOrPrefix: string): Promise<ApiKeyRow> {
	const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(idOrPrefix);
	const { rows } = await db.query<{ id: string }>(
		`UPDATE api_keys SET revoked_at = coalesce(revoked_at, now())
		 WHERE ${isUuid ? 'id = $1::uuid' : 'prefix = $1'} RETURNING id`,
		[idOrPrefix],
	);
	if (rows.length !== 1) {
		throw new AccessError(
			'key_not_found',
			rows.length ? `Several keys start with ${idOrPrefix}: use the key id.` : `No API key ${idOrPrefix}.`,
		);
	}
	return (await listApiKeys(db)).find((k) => k.id === rows[0].id)!;
}

/** The principal of a valid, unrevoked key; undefined otherwise (the caller answers 401). */
export async function authenticate(db: Db, key: string): Promise<Principal | undefined> {
	if (!looksLikeApiKey(key)) return undefined;
	const { rows } = await db.query<{
		id: string;
		user_id: string;
		email: string;
		tier: 'free' | 'pro';
		scopes: string[];
		stale: boolean;
	}>(
		`SELECT k.id, k.user_id, u.email, u.tier, k.scopes,
		        (k.last_used_at IS NULL OR k.last_used_at < now() - interval '1 minute') AS stale
		 FROM api_keys k JOIN users u ON u.id = k.user_id
		 WHERE k.key_hash = $1 AND k.revoked_at IS NULL`,
		[hashApiKey(key)],
	);
	const row = rows[0];
	if (!row) return undefined;
	// last_used_at at minute resolution: no write per request.
	if (row.stale)
		void db.query('UPDATE api_keys SET last_used_at = now() WHERE id = $1', [row.id]).catch(() => undefined);
	return { keyId: row.id, userId: row.user_id, email: row.email, tier: row.tier, scopes: row.scopes };
}
