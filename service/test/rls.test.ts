// Row-level security of the library, proven the way PostgREST runs queries (SET LOCAL ROLE +
// request.jwt.claims): anon and free users see no premium rows, pro users do, nobody raises their
// own tier, service_role bypasses.
import type { Pool } from 'pg';
import { withAnon, withServiceRole, withUser } from '../src/db/rls';
import type { TestDatabase } from '../../test/helpers/postgres';
import { migratedDatabase } from './helpers';

async function seed(pool: Pool) {
	const users = await pool.query<{ id: string; tier: string }>(
		"INSERT INTO users (email, tier) VALUES ('free@example.com', 'free'), ('pro@example.com', 'pro') RETURNING id::text, tier",
	);
	await pool.query(
		`INSERT INTO library_assets (slug, type, title, content, is_premium) VALUES
		 ('free-1', 'prompt', 'Free one', '"a"', false), ('free-2', 'prompt', 'Free two', '"b"', false),
		 ('premium-1', 'prompt', 'Premium one', '"c"', true), ('premium-2', 'template', 'Premium two', '"d"', true), ('premium-3', 'guide', 'Premium three', '"e"', true)`,
	);
	const byTier = Object.fromEntries(users.rows.map((u) => [u.tier, u.id]));
	return { free: byTier.free as string, pro: byTier.pro as string };
}

const premiumCount = (client: { query: Pool['query'] }) =>
	client
		.query<{ n: number }>('SELECT count(*)::int AS n FROM library_assets WHERE is_premium')
		.then((r) => r.rows[0].n);
const allCount = (client: { query: Pool['query'] }) =>
	client.query<{ n: number }>('SELECT count(*)::int AS n FROM library_assets').then((r) => r.rows[0].n);

describe('library row-level security', () => {
	let db: TestDatabase;
	let ids: { free: string; pro: string };
	beforeAll(async () => {
		db = await migratedDatabase('rls');
		ids = await seed(db.pool);
	});
	afterAll(async () => {
		await db.drop();
	});

	it('shows anon nothing at all', async () => {
		expect(await withAnon(db.pool, premiumCount)).toBe(0);
		expect(await withAnon(db.pool, allCount)).toBe(0);
	});

	it('shows a free user the 2 free assets and 0 premium ones, even when asked by id', async () => {
		expect(await withUser(db.pool, ids.free, allCount)).toBe(2);
		expect(await withUser(db.pool, ids.free, premiumCount)).toBe(0);
		const direct = await withUser(db.pool, ids.free, (c) =>
			c.query("SELECT title FROM library_assets WHERE slug = 'premium-1'"),
		);
		expect(direct.rowCount).toBe(0);
	});

	it('shows a pro user all 5 assets, premium included', async () => {
		expect(await withUser(db.pool, ids.pro, premiumCount)).toBe(3);
		expect(await withUser(db.pool, ids.pro, allCount)).toBe(5);
	});

	it('follows the tier in the database: a downgraded user loses premium access at once', async () => {
		const { rows } = await db.pool.query<{ id: string }>(
			"INSERT INTO users (email, tier) VALUES ('lapsed@example.com', 'pro') RETURNING id::text",
		);
		expect(await withUser(db.pool, rows[0].id, premiumCount)).toBe(3);
		await db.pool.query("UPDATE users SET tier = 'free' WHERE id = $1", [rows[0].id]);
		expect(await withUser(db.pool, rows[0].id, premiumCount)).toBe(0);
	});

	it('never lets a user raise their own tier, while their display name stays editable', async () => {
		await expect(
			withUser(db.pool, ids.free, (c) => c.query("UPDATE users SET tier = 'pro' WHERE id = $1", [ids.free])),
		).rejects.toThrow(/permission denied/);
		await expect(withUser(db.pool, ids.free, (c) => c.query('UPDATE users SET tier = $1', ['pro']))).rejects.toThrow(
			/permission denied/,
		);
		const renamed = await withUser(db.pool, ids.free, (c) =>
			c.query("UPDATE users SET display_name = 'Asha' WHERE id = $1", [ids.free]),
		);
		expect(renamed.rowCount).toBe(1);
		// …but only their own row.
		const other = await withUser(db.pool, ids.free, (c) =>
			c.query("UPDATE users SET display_name = 'Mallory' WHERE id = $1", [ids.pro]),
		);
		expect(other.rowCount).toBe(0);
		const { rows } = await db.pool.query('SELECT tier, display_name FROM users WHERE id = $1', [ids.free]);
		expect(rows[0]).toEqual({ tier: 'free', display_name: 'Asha' });
		expect(await withUser(db.pool, ids.free, premiumCount)).toBe(0);
	});

	it('does not let users write library assets or read other users', async () => {
		await expect(
			withUser(db.pool, ids.pro, (c) =>
				c.query("UPDATE library_assets SET is_premium = false WHERE slug = 'premium-1'"),
			),
		).rejects.toThrow(/permission denied/);
		await expect(
			withUser(db.pool, ids.free, (c) =>
				c.query("INSERT INTO library_assets (slug, type, title, content) VALUES ('x', 'prompt', 'x', '1')"),
			),
		).rejects.toThrow(/permission denied/);
		const seen = await withUser(db.pool, ids.free, (c) => c.query('SELECT email FROM users'));
		expect(seen.rows).toEqual([{ email: 'free@example.com' }]);
		await expect(withUser(db.pool, ids.free, (c) => c.query('SELECT count(*) FROM events'))).rejects.toThrow(
			/permission denied/,
		);
	});

	it('lets service_role bypass row-level security', async () => {
		expect(await withServiceRole(db.pool, premiumCount)).toBe(3);
		await withServiceRole(db.pool, (c) => c.query("UPDATE users SET tier = 'pro' WHERE id = $1", [ids.free]));
		expect(await withUser(db.pool, ids.free, premiumCount)).toBe(3);
	});

	it('resets role and claims after the transaction (SET LOCAL)', async () => {
		await withUser(db.pool, ids.pro, premiumCount);
		const { rows } = await db.pool.query(
			"SELECT current_user AS role, nullif(current_setting('request.jwt.claims', true), '') AS claims",
		);
		expect(rows[0]).toEqual({ role: 'postgres', claims: null });
	});
});
