// Migrations apply once, in order, at start-up; concurrent starts are safe.
import { loadMigrations, migrate, pendingMigrations } from '../src/db/migrate';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/postgres';

describe('migrations', () => {
	let db: TestDatabase;
	beforeAll(async () => {
		db = await createTestDatabase('migrate');
	});
	afterAll(async () => {
		await db.drop();
	});

	it('applies every migration once, even when two instances start at the same time', async () => {
		const names = loadMigrations().map((m) => m.name);
		expect(names.length).toBeGreaterThanOrEqual(3);
		expect(await pendingMigrations(db.pool)).toEqual(names);
		const [a, b] = await Promise.all([migrate(db.pool), migrate(db.pool)]);
		expect([...a.applied, ...b.applied].sort()).toEqual(names);
		expect(await pendingMigrations(db.pool)).toEqual([]);
		const { rows } = await db.pool.query('SELECT name FROM schema_migrations ORDER BY name');
		expect(rows.map((r) => r.name)).toEqual(names);
	});

	it('is idempotent: a restart applies nothing and keeps the data', async () => {
		await db.pool.query("INSERT INTO users (email) VALUES ('keep@example.com')");
		expect((await migrate(db.pool)).applied).toEqual([]);
		expect((await db.pool.query("SELECT 1 FROM users WHERE email = 'keep@example.com'")).rowCount).toBe(1);
	});

	it('creates the Supabase-style roles and auth helpers on plain Postgres', async () => {
		const { rows } = await db.pool.query(
			"SELECT rolname, rolbypassrls FROM pg_roles WHERE rolname IN ('anon', 'authenticated', 'service_role') ORDER BY rolname",
		);
		expect(rows).toEqual([
			{ rolname: 'anon', rolbypassrls: false },
			{ rolname: 'authenticated', rolbypassrls: false },
			{ rolname: 'service_role', rolbypassrls: true },
		]);
		const uid = await db.pool.query(
			"SELECT set_config('request.jwt.claims', '{\"sub\":\"6f0c1f8e-35a4-4c29-9d53-3a3c1f0c9b11\",\"role\":\"authenticated\"}', false), auth.uid()::text AS uid, auth.role() AS role",
		);
		expect(uid.rows[0]).toMatchObject({ uid: '6f0c1f8e-35a4-4c29-9d53-3a3c1f0c9b11', role: 'authenticated' });
	});
});
