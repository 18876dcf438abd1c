// Stopping Postgres under load loses nothing that was answered 200: while the database is down
// the gateway answers 503 (Meta retries), and after it comes back every event acknowledged with 200
// is in the database. Runs its own throwaway Postgres (never the shared one).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import { freePort, urlFor } from '../src/db/embedded';
import { migrate } from '../src/db/migrate';
import { startService, type TestService } from './helpers';
import { statusBody } from './support/payloads';
import { PostgresChild } from './support/postgres';

describe('Postgres outage under load', () => {
	let parent: string;
	let pg: PostgresChild;
	let pool: Pool;
	let service: TestService;

	beforeAll(async () => {
		parent = mkdtempSync(join(tmpdir(), 'tp-outage-'));
		const port = await freePort();
		pg = await PostgresChild.start(join(parent, 'data'), port);
		const admin = new Client({ connectionString: urlFor(port, 'postgres') });
		await admin.connect();
		await admin.query('CREATE DATABASE outage');
		await admin.end();
		pool = new Pool({ connectionString: urlFor(port, 'outage'), max: 8, connectionTimeoutMillis: 2000 });
		pool.on('error', () => undefined); // idle clients die with the server; the pool replaces them
		await migrate(pool);
		service = await startService(pool);
	}, 90_000);

	afterAll(async () => {
		await service?.close();
		await pool?.end().catch(() => undefined);
		await pg?.exit();
		rmSync(parent, { recursive: true, force: true });
	});

	it('answers 503 while Postgres is down and keeps every event it answered 200', async () => {
		const acknowledged: string[] = [];
		const statuses = new Map<number, number>();
		let phase: 'before' | 'down' | 'after' = 'before';
		const byPhase = { before: 0, down: 0, after: 0 };
		let running = true;
		const worker = async () => {
			while (running) {
				const wamid = `wamid.${randomBytes(8).toString('hex')}`;
				const res = await service.postMeta(statusBody(wamid));
				await res.arrayBuffer();
				statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
				if (res.status === 200) {
					acknowledged.push(wamid);
					byPhase[phase]++;
				}
			}
		};
		const workers = Array.from({ length: 16 }, worker);
		const until = async (condition: () => boolean) => {
			while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
		};

		try {
			await until(() => acknowledged.length >= 300);
			await pg.command('stop', 'stopped'); // fast shutdown: open transactions are cut off mid-flight
			phase = 'down';
			const at503 = statuses.get(503) ?? 0;
			await until(() => (statuses.get(503) ?? 0) >= at503 + 50);
			await pg.command('start', 'started');
			phase = 'after';
			await until(() => byPhase.after >= 300);
		} finally {
			running = false;
			await Promise.allSettled(workers);
		}

		// Only 200 and 503: bad luck with the database never becomes a 500 or a silent success.
		expect([...statuses.keys()].sort()).toEqual([200, 503]);
		const { rows } = await pool.query<{ wamid: string }>(
			"SELECT payload->>'wamid' AS wamid FROM events WHERE type = 'whatsapp.status'",
		);
		const stored = new Set(rows.map((r) => r.wamid));
		const lost = acknowledged.filter((wamid) => !stored.has(wamid));
		expect(lost).toEqual([]);
		expect(acknowledged.length).toBeGreaterThanOrEqual(600);
	}, 120_000);
});
