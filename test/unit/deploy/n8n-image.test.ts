// docker/n8n.Dockerfile installs our package the way the e2e harness does (scripts/lib/n8n.js
// installPackage), and the e2e tests prove that install loads in real n8n (test/e2e). Here: the
// Dockerfile's install step, run as written in a folder laid out like the image's user folder,
// produces the same files as the harness's install, with the same npm command, on the n8n version
// the e2e tests run; and compose never hides that folder under a volume.
import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, posix, relative, resolve } from 'node:path';
import {
	ensureRuntime,
	N8N_VERSION,
	n8nEnv,
	PACKAGE_NAME,
	packPackage,
	runCli,
	startServer,
} from '../../../scripts/lib/n8n';
import { freePort } from '../../../service/src/db/embedded';
import { createTestDatabase } from '../../helpers/postgres';
import {
	DOCKER,
	envObject,
	finalEnv,
	parseEnvFile,
	readComposeRaw,
	readDockerfile,
	resolveCompose,
	ROOT,
	servicesOf,
} from './deploy-files';

jest.setTimeout(300_000);

const dockerfile = readDockerfile('n8n.Dockerfile');
const rootPackage = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
	n8n: { nodes: string[]; credentials: string[] };
};

/** The n8n runtime of the e2e tests (scripts/install-n8n.sh), if it is installed: never installed from here. */
const runtimeDir =
	process.env.TP_N8N_RUNTIME ??
	join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'n8n-nodes-tiltedprompts', `n8n-${N8N_VERSION}`);
const runtimeInstalled =
	existsSync(join(runtimeDir, '.installed')) && existsSync(join(runtimeDir, 'node_modules', 'n8n', 'bin', 'n8n'));
if (!runtimeInstalled)
	console.warn(
		`n8n ${N8N_VERSION} is not installed in ${runtimeDir} (npm run n8n:install): the real-n8n checks are skipped.`,
	);

/** The final stage's RUN that installs the package. */
function installScript(): string {
	const runs = dockerfile.final.filter((i) => i.keyword === 'RUN' && /\bnpm install\b/.test(i.args));
	expect(runs).toHaveLength(1);
	return runs[0].args;
}

/** The `npm install …` command of that RUN, as argv (quotes removed). */
function dockerNpmInstall(): string[] {
	const command = installScript()
		.split(/;|&&/)
		.map((part) => part.trim())
		.find((part) => part.startsWith('npm install'));
	return command!.split(/\s+/).map((word) => word.replace(/^"|"$/g, ''));
}

/** Every file under `dir` with its content hash (npm's own bookkeeping files left out). */
function tree(dir: string): Record<string, string> {
	const files: Record<string, string> = {};
	const visit = (folder: string) => {
		for (const entry of readdirSync(folder, { withFileTypes: true })) {
			const path = join(folder, entry.name);
			if (entry.isDirectory()) visit(path);
			else if (entry.name !== '.package-lock.json')
				files[relative(dir, path)] = createHash('sha256').update(readFileSync(path)).digest('hex');
		}
	};
	visit(dir);
	return files;
}

/** The harness's installPackage, with the npm command it runs recorded. */
function harnessInstall(userFolder: string, tarball: string): { installed: string; npmArgs: string[] } {
	let npmArgs: string[] = [];
	let installed = '';
	jest.isolateModules(() => {
		const actual = jest.requireActual<typeof import('node:child_process')>('node:child_process');
		jest.doMock('node:child_process', () => ({
			...actual,
			execFileSync: (file: string, args: string[], options: object) => {
				if (file === 'npm' && args[0] === 'install') npmArgs = ['npm', ...args];
				return actual.execFileSync(file, args, options);
			},
		}));

		const harness = require('../../../scripts/lib/n8n') as typeof import('../../../scripts/lib/n8n');
		installed = harness.installPackage(userFolder, tarball);
	});
	jest.dontMock('node:child_process');
	return { installed, npmArgs };
}

describe('docker/n8n.Dockerfile', () => {
	let work: string;
	let tarball: string;
	let harness: { installed: string; npmArgs: string[] };
	/** The image's user folder, laid out by the Dockerfile's install step (set by the test that runs it). */
	let imageUserFolder: string | undefined;

	beforeAll(() => {
		for (const file of [...rootPackage.n8n.nodes, ...rootPackage.n8n.credentials]) {
			if (!existsSync(join(ROOT, file)))
				throw new Error(`${file} is missing: run \`npm run build\` first (npm test does).`);
		}
		work = mkdtempSync(join(tmpdir(), 'tp-n8n-image-'));
		tarball = packPackage(join(work, 'pack')); // `npm pack`, as the image's package stage does
		harness = harnessInstall(join(work, 'harness'), tarball);
	});

	afterAll(() => {
		if (work) rmSync(work, { recursive: true, force: true });
	});

	it('starts from the official n8n image of the version the e2e tests run', () => {
		expect(dockerfile.stages.at(-1)!.image).toBe(`n8nio/n8n:${N8N_VERSION}`);
		expect(dockerfile.stages.at(-1)!.name).toBeUndefined();
		// and packs the package with `npm pack` after `npm run build`, like the harness and `npm publish`
		const packageStage = dockerfile.instructions.filter((i) => i.stage === 0 && i.keyword === 'RUN').map((i) => i.args);
		expect(packageStage.join(' && ')).toMatch(/npm run build\s+&& .*npm pack /);
	});

	it('runs the npm command of the e2e harness', () => {
		const docker = dockerNpmInstall().map((word) => (word === '$PACKAGE_TARBALL' ? tarball : word));
		expect(harness.npmArgs.length).toBeGreaterThan(2);
		expect(docker).toEqual(harness.npmArgs);
		expect(docker).toEqual(expect.arrayContaining(['--legacy-peer-deps', '--ignore-scripts']));
	});

	it('installs, as written, the same files into the user folder as the harness does', () => {
		// The image's user folder, relocated: same script, ENV N8N_USER_FOLDER and ARG PACKAGE_TARBALL.
		const { N8N_USER_FOLDER } = finalEnv(dockerfile, 'ENV');
		const { PACKAGE_TARBALL } = finalEnv(dockerfile, 'ARG');
		expect(N8N_USER_FOLDER).toBe('/home/node'); // the official image's home of user `node`
		expect(PACKAGE_TARBALL).toBeTruthy();
		const folder = join(work, 'image', N8N_USER_FOLDER);
		execFileSync('sh', ['-c', installScript()], {
			env: {
				PATH: process.env.PATH,
				HOME: join(work, 'image', 'home'),
				N8N_USER_FOLDER: folder,
				PACKAGE_TARBALL: tarball,
			},
			stdio: ['ignore', 'ignore', 'pipe'],
		});
		imageUserFolder = folder;

		const nodesDir = (userFolder: string) => join(userFolder, '.n8n', 'nodes');
		const ours = tree(join(nodesDir(folder), 'node_modules'));
		expect(ours).toEqual(tree(join(nodesDir(join(work, 'harness')), 'node_modules')));
		expect(resolve(harness.installed)).toBe(resolve(nodesDir(join(work, 'harness')), 'node_modules', PACKAGE_NAME));
		// Our compiled nodes and credentials are there; n8n's own packages (the peer) are not.
		for (const file of [...rootPackage.n8n.nodes, ...rootPackage.n8n.credentials]) {
			expect(Object.keys(ours)).toContain(posix.join(PACKAGE_NAME, file));
		}
		expect(Object.keys(ours).some((file) => file.startsWith('n8n-workflow/'))).toBe(false);

		// Both record the package in nodes/package.json, as n8n does for what it installs.
		for (const userFolder of [folder, join(work, 'harness')]) {
			const manifest = JSON.parse(readFileSync(join(nodesDir(userFolder), 'package.json'), 'utf8')) as {
				dependencies: Record<string, string>;
			};
			expect(Object.keys(manifest.dependencies)).toEqual([PACKAGE_NAME]);
		}
	});

	it('is not hidden by a volume in compose: every n8n process sees the package of its image', () => {
		const { N8N_USER_FOLDER } = finalEnv(dockerfile, 'ENV');
		const nodesDir = posix.join(N8N_USER_FOLDER, '.n8n', 'nodes');
		const n8nServices = Object.entries(readComposeRaw().services).filter(
			([, s]) => s.build?.dockerfile === 'docker/n8n.Dockerfile',
		);
		expect(n8nServices.map(([name]) => name).sort()).toEqual(['n8n', 'n8n-main', 'n8n-webhook', 'n8n-worker']);
		for (const [name, service] of n8nServices) {
			for (const volume of service.volumes ?? []) {
				const target = volume.split(':')[1];
				expect([name, nodesDir === target || nodesDir.startsWith(`${target}/`)]).toEqual([name, false]);
			}
			expect([name, service.environment?.N8N_USER_FOLDER]).toEqual([name, undefined]);
		}
	});

	it('configures n8n only with variables n8n reads (a misspelt one would be ignored silently)', () => {
		if (!runtimeInstalled) return; // warned above
		const modules = join(runtimeDir, 'node_modules');
		const names = new Set<string>();
		for (const [, service] of Object.entries(readComposeRaw().services).filter(
			([, s]) => s.build?.dockerfile === 'docker/n8n.Dockerfile',
		)) {
			for (const name of Object.keys(service.environment ?? {})) if (name !== 'TZ') names.add(name); // TZ is the C library's
		}
		expect(names.size).toBeGreaterThan(15);
		const found = spawnSync(
			'grep',
			[
				'-rhowF',
				'--include=*.js',
				...[...names].flatMap((name) => ['-e', name]),
				...['n8n/dist', '@n8n/config/dist', 'n8n-core/dist'].map((dir) => join(modules, dir)),
			],
			{ encoding: 'utf8' },
		).stdout;
		const read = new Set(found.split('\n'));
		expect([...names].filter((name) => !read.has(name))).toEqual([]);
	});

	(runtimeInstalled ? it : it.skip)(
		'loads in real n8n with the compose configuration of the one-process n8n',
		async () => {
			expect(imageUserFolder).toBeDefined(); // laid out by the test above
			// compose's n8n environment, from a docker/.env made by init-env.sh
			const envFile = join(work, '.env');
			execFileSync('sh', [join(DOCKER, 'init-env.sh'), envFile], { stdio: 'ignore' });
			const dotenv = {
				...envObject(parseEnvFile(readFileSync(envFile, 'utf8'))),
				DOMAIN: 'automations.example.com',
				ACME_EMAIL: 'ops@example.com',
				META_APP_SECRETS: 'meta-app-secret-0123456789',
			};
			const composeEnv = servicesOf(resolveCompose(dotenv), 'single').n8n.environment ?? {};
			// Here, not in a container: the test database instead of `postgres`, free ports on loopback.
			const extra = Object.fromEntries(
				Object.entries(composeEnv).filter(([key]) => !key.startsWith('DB_') && key !== 'N8N_PORT'),
			);
			const db = await createTestDatabase('n8nimage');
			const env = n8nEnv({
				userFolder: imageUserFolder!,
				port: await freePort(),
				brokerPort: await freePort(),
				databaseUrl: db.url,
				encryptionKey: composeEnv.N8N_ENCRYPTION_KEY,
				listenAddress: '127.0.0.1',
				extra,
			});
			const server = await startServer(ensureRuntime(), env); // resolves once /healthz/readiness is 200
			try {
				const setup = await fetch(`${server.url}/rest/owner/setup`, {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify({
						email: 'owner@example.com',
						password: 'Deploy-Owner-Passw0rd',
						firstName: 'Ops',
						lastName: 'Owner',
					}),
				});
				expect(setup.status).toBe(200);
				const cookie = (setup.headers.get('set-cookie') ?? '').split(';')[0];
				const types = (await (await fetch(`${server.url}/types/nodes.json`, { headers: { cookie } })).json()) as Array<{
					name: string;
				}>;
				const expected = rootPackage.n8n.nodes.map((file) => {
					const mod = require(join(ROOT, file)) as Record<string, new () => { description: { name: string } }>;
					return `${PACKAGE_NAME}.${new (Object.values(mod)[0])().description.name}`;
				});
				for (const name of expected) expect(types.map((type) => type.name)).toContain(name);
				// n8n's public API answers under /n8n-api/ (it asks for its API key), leaving /api/ to the service.
				const publicApi = await fetch(`${server.url}/n8n-api/v1/workflows`);
				expect(publicApi.status).toBe(401);

				// README step 4: the templates, where the image's COPY puts them, imported with the README's command.
				const copy = dockerfile.final.find((i) => i.keyword === 'COPY' && i.args.startsWith('workflows '))!;
				const templatesDir = join(work, 'image', copy.args.split(/\s+/)[1]);
				cpSync(join(ROOT, 'workflows'), templatesDir, { recursive: true });
				const templates = readdirSync(templatesDir).filter((file) => file.endsWith('.json'));
				expect(templates.length).toBeGreaterThan(0);
				const cliEnv = {
					...env,
					N8N_PORT: String(await freePort()),
					N8N_RUNNERS_BROKER_PORT: String(await freePort()),
					N8N_LOG_LEVEL: 'info',
				};
				const imported = await runCli(
					ensureRuntime(),
					['import:workflow', '--separate', `--input=${templatesDir}`],
					cliEnv,
				);
				expect([imported.code, imported.stderr]).toEqual([0, expect.anything()]);
				const workflows = (await (await fetch(`${server.url}/rest/workflows`, { headers: { cookie } })).json()) as {
					data: Array<{ name: string }>;
				};
				expect(workflows.data).toHaveLength(templates.length);
			} finally {
				await server.stop();
				await db.drop();
			}
		},
	);

	it('copies the workflow templates to the folder the README imports them from', () => {
		const copy = dockerfile.final.find((i) => i.keyword === 'COPY' && i.args.startsWith('workflows '));
		const destination = copy!.args.split(/\s+/)[1];
		const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
		const deployment = readme.slice(readme.indexOf('<!-- section: deployment -->'), readme.indexOf('## License'));
		expect(deployment).toContain(`import:workflow --separate --input=${destination}`);
	});
});
