// Migrations apply once, in order, at start-up; concurrent starts are safe.
import { copyFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMigrations, migrate, MIGRATIONS_DIR, pendingMigrations } from '../src/db/migrate';
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
			'SELECT set_config(\'request.jwt.claims\', \'{"sub":"6f0c1f8e-35a4-4c29-9d53-3a3c1f0c9b11","role":"authenticated"}\', false), auth.uid()::text AS uid, auth.role() AS role',
		);
		expect(uid.rows[0]).toMatchObject({ uid: '6f0c1f8e-35a4-4c29-9d53-3a3c1f0c9b11', role: 'authenticated' });
	});
});

describe('migration 330 (usernames and BSUIDs)', () => {
	let db: TestDatabase;
	beforeAll(async () => {
		db = await createTestDatabase('migrate330');
	});
	afterAll(async () => {
		await db.drop();
	});

	it('keeps contacts, consent history and ledgers created by phone number before it, unchanged and usable', async () => {
		const before = mkdtempSync(join(tmpdir(), 'migrations-before-330-'));
		for (const file of readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql') && f < '330'))
			copyFileSync(join(MIGRATIONS_DIR, file), join(before, file));
		await migrate(db.pool, { dir: before });
		const contact = await db.pool.query(
			`INSERT INTO contacts (wa_id, name, tags, consent, consent_source, consent_updated_at) VALUES ('919876543210', 'Asha', '{vip}', 'opted_out', 'keyword', now()) RETURNING *`,
		);
		await db.pool.query(
			`INSERT INTO consent_events (subject_id, consent, source, message_id) VALUES ($1, 'opted_out', 'keyword', 'wamid.old')`,
			[contact.rows[0].id],
		);
		const campaign = await db.pool.query(
			`INSERT INTO campaigns (name, template_name, template_language, audience) VALUES ('old', 't', 'en', '{}') RETURNING id`,
		);
		await db.pool.query(
			`INSERT INTO campaign_recipients (campaign_id, contact_id, wa_id, state) VALUES ($1, $2, '919876543210', 'sent')`,
			[campaign.rows[0].id, contact.rows[0].id],
		);

		expect((await migrate(db.pool)).applied).toEqual(expect.arrayContaining(['330_contacts_bsuid.sql']));
		const after = (await db.pool.query('SELECT * FROM contacts WHERE id = $1', [contact.rows[0].id])).rows[0];
		expect(after).toEqual({
			...contact.rows[0],
			user_id: null,
			parent_user_id: null,
			username: null,
			former_user_ids: [],
		});
		expect((await db.pool.query('SELECT wa_id, user_id, state FROM campaign_recipients')).rows).toEqual([
			{ wa_id: '919876543210', user_id: null, state: 'sent' },
		]);
		expect(
			(await db.pool.query('SELECT count(*)::int AS n FROM consent_events WHERE subject_id = $1', [contact.rows[0].id]))
				.rows[0].n,
		).toBe(1);
		// The old contact now learns its BSUID without becoming a second contact.
		await db.pool.query(`UPDATE contacts SET user_id = 'IN.1648738043044942' WHERE wa_id = '919876543210'`);
		await expect(db.pool.query(`INSERT INTO contacts (user_id) VALUES ('IN.1648738043044942')`)).rejects.toThrow(
			/duplicate key/,
		);
		await expect(db.pool.query(`INSERT INTO contacts (name) VALUES ('nobody')`)).rejects.toThrow(/contacts_identified/);
	});
});
