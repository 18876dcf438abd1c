// docker/postgres/init-n8n.sh, which the Postgres container runs on its first start: run here with
// the PostgreSQL client against the test server, as the container's entrypoint runs it.
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { adminUrl, createTestDatabase, type TestDatabase } from '../../helpers/postgres';
import { DOCKER, readComposeRaw } from './deploy-files';

const hasPsql = spawnSync('psql', ['--version']).status === 0;
if (!hasPsql) console.warn('postgres-init.test.ts skipped: psql (the PostgreSQL client) is not installed.');

(hasPsql ? describe : describe.skip)('docker/postgres/init-n8n.sh', () => {
	const suffix = randomBytes(4).toString('hex');
	const n8nDb = `n8n_${suffix}`;
	const n8nUser = `n8n_${suffix}`;
	const n8nPassword = randomBytes(32).toString('hex');
	const admin = new URL(adminUrl());
	let serviceDb: TestDatabase;
	let result: ReturnType<typeof spawnSync>;

	const urlFor = (database: string, user = n8nUser, password = n8nPassword) =>
		`postgres://${user}:${password}@${admin.hostname}:${admin.port}/${database}`;

	beforeAll(async () => {
		serviceDb = await createTestDatabase('svcdb');
		result = spawnSync('sh', [join(DOCKER, 'postgres', 'init-n8n.sh')], {
			encoding: 'utf8',
			env: {
				PATH: process.env.PATH,
				// what the postgres image's entrypoint provides (it connects over its socket; we use TCP)
				PGHOST: admin.hostname,
				PGPORT: admin.port,
				PGPASSWORD: decodeURIComponent(admin.password),
				POSTGRES_USER: decodeURIComponent(admin.username),
				POSTGRES_DB: serviceDb.name,
				N8N_DB_PASSWORD: n8nPassword,
				N8N_DB_NAME: n8nDb,
				N8N_DB_USER: n8nUser,
			},
		});
	});

	afterAll(async () => {
		await serviceDb?.drop();
		const client = new Client({ connectionString: adminUrl() });
		await client.connect();
		await client.query(`DROP DATABASE IF EXISTS "${n8nDb}" WITH (FORCE)`);
		await client.query(`DROP ROLE IF EXISTS "${n8nUser}"`);
		await client.end();
	});

	it('is mounted into the Postgres container with the password it reads', () => {
		const postgres = readComposeRaw().services.postgres;
		expect(postgres.volumes).toContain('./postgres/init-n8n.sh:/docker-entrypoint-initdb.d/10-init-n8n.sh:ro');
		expect(Object.keys(postgres.environment ?? {})).toEqual(
			expect.arrayContaining(['POSTGRES_USER', 'POSTGRES_DB', 'N8N_DB_PASSWORD']),
		);
		// compose's n8n connects with the defaults the script uses
		const n8n = readComposeRaw().services.n8n.environment!;
		expect([n8n.DB_POSTGRESDB_DATABASE, n8n.DB_POSTGRESDB_USER]).toEqual(['n8n', 'n8n']);
	});

	it('gives n8n its own role and a database it owns', async () => {
		expect([result.status, result.stderr]).toEqual([0, '']);
		const client = new Client({ connectionString: urlFor(n8nDb) });
		await client.connect();
		try {
			await client.query('CREATE TABLE n8n_can_migrate (id int)'); // n8n runs its own migrations
			const { rows } = await client.query<{ super: boolean }>(
				'SELECT rolsuper AS super FROM pg_roles WHERE rolname = current_user',
			);
			expect(rows[0].super).toBe(false);
		} finally {
			await client.end();
		}
	});

	it("keeps n8n out of the service's database", async () => {
		const client = new Client({ connectionString: urlFor(serviceDb.name) });
		await expect(client.connect()).rejects.toThrow(/permission denied for database/);
	});

	it('fails loudly without a password', () => {
		const run = spawnSync('sh', [join(DOCKER, 'postgres', 'init-n8n.sh')], {
			encoding: 'utf8',
			env: { PATH: process.env.PATH },
		});
		expect(run.status).not.toBe(0);
		expect(run.stderr).toMatch(/N8N_DB_PASSWORD/);
	});
});
