// Versioned SQL migrations (service/migrations/*.sql), applied at start-up in filename order, once
// each, recorded in `schema_migrations`. An advisory lock makes concurrent starts (several service
// instances, the CLI) safe: the second waits, then finds nothing left to do.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Pool } from 'pg';
import { withClient } from './client';

/** service/migrations, from src/db (ts-jest/swc) or dist/db (compiled). */
export const MIGRATIONS_DIR = resolve(__dirname, '..', '..', 'migrations');

// Arbitrary constant shared by every instance: pg_advisory_lock(key) serializes migrations.
const LOCK_KEY = 7_348_110_301;

export interface Migration {
	name: string;
	sql: string;
	checksum: string;
}

export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
	return readdirSync(dir)
		.filter((file) => file.endsWith('.sql'))
		.sort()
		.map((name) => {
			const sql = readFileSync(join(dir, name), 'utf8');
			return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
		});
}

export class MigrationError extends Error {}

export interface MigrateResult {
	applied: string[];
}

/**
 * Applies the pending migrations, each in its own transaction. Idempotent: a second call applies
 * nothing. A migration whose file changed after it was applied is reported, not re-run.
 */
export async function migrate(
	pool: Pool,
	options: { dir?: string; log?: (msg: string) => void } = {},
): Promise<MigrateResult> {
	const migrations = loadMigrations(options.dir);
	const applied: string[] = [];
	await withClient(pool, async (client) => {
		await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
		try {
			await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
				name text PRIMARY KEY,
				checksum text NOT NULL,
				applied_at timestamptz NOT NULL DEFAULT now()
			)`);
			const { rows } = await client.query<{ name: string; checksum: string }>(
				'SELECT name, checksum FROM schema_migrations',
			);
			const done = new Map(rows.map((row) => [row.name, row.checksum]));
			for (const migration of migrations) {
				const previous = done.get(migration.name);
				if (previous !== undefined) {
					if (previous !== migration.checksum) {
						options.log?.(`migration ${migration.name} changed after it was applied; add a new migration instead`);
					}
					continue;
				}
				try {
					await client.query('BEGIN');
					await client.query(migration.sql);
					await client.query('INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)', [
						migration.name,
						migration.checksum,
					]);
					await client.query('COMMIT');
				} catch (error) {
					await client.query('ROLLBACK').catch(() => undefined);
					throw new MigrationError(`migration ${migration.name} failed: ${(error as Error).message}`);
				}
				applied.push(migration.name);
				options.log?.(`applied migration ${migration.name}`);
			}
		} finally {
			await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => undefined);
		}
	});
	return { applied };
}

const namesByDir = new Map<string, string[]>();

/** Names of migration files not yet recorded as applied (for /readyz; the file list is read once). */
export async function pendingMigrations(pool: Pool, dir: string = MIGRATIONS_DIR): Promise<string[]> {
	let names = namesByDir.get(dir);
	if (!names) namesByDir.set(dir, (names = loadMigrations(dir).map((m) => m.name)));
	const { rows } = await pool.query<{ exists: boolean }>(
		"SELECT to_regclass('public.schema_migrations') IS NOT NULL AS exists",
	);
	if (!rows[0]?.exists) return names;
	const applied = await pool.query<{ name: string }>('SELECT name FROM schema_migrations');
	const set = new Set(applied.rows.map((row) => row.name));
	return names.filter((name) => !set.has(name));
}
