// docker/n8n.Dockerfile installs our package the way the e2e harness does (scripts/lib/n8n.js
// installPackage), and the e2e tests prove that install loads in real n8n (test/e2e). Here: the
// Dockerfile's install step, run as written in a folder laid out like the image's user folder,
// produces the same files as the harness's install, with the same npm command, on the n8n version
// the e2e tests run; and compose never hides that folder under a volume.
import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, posix, relative, resolve } from 'node:path';
import { N8N_VERSION, PACKAGE_NAME, packPackage } from '../../../scripts/lib/n8n';
import { finalEnv, readComposeRaw, readDockerfile, ROOT } from './deploy-files';

jest.setTimeout(120_000);

const dockerfile = readDockerfile('n8n.Dockerfile');
const rootPackage = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { n8n: { nodes: string[]; credentials: string[] } };

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
			else if (entry.name !== '.package-lock.json') files[relative(dir, path)] = createHash('sha256').update(readFileSync(path)).digest('hex');
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
		// eslint-disable-next-line @typescript-eslint/no-require-imports
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

	beforeAll(() => {
		for (const file of [...rootPackage.n8n.nodes, ...rootPackage.n8n.credentials]) {
			if (!existsSync(join(ROOT, file))) throw new Error(`${file} is missing: run \`npm run build\` first (npm test does).`);
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
		const imageUserFolder = join(work, 'image', N8N_USER_FOLDER);
		execFileSync('sh', ['-c', installScript()], {
			env: { PATH: process.env.PATH, HOME: join(work, 'image', 'home'), N8N_USER_FOLDER: imageUserFolder, PACKAGE_TARBALL: tarball },
			stdio: ['ignore', 'ignore', 'pipe'],
		});

		const nodesDir = (userFolder: string) => join(userFolder, '.n8n', 'nodes');
		const ours = tree(join(nodesDir(imageUserFolder), 'node_modules'));
		expect(ours).toEqual(tree(join(nodesDir(join(work, 'harness')), 'node_modules')));
		expect(resolve(harness.installed)).toBe(resolve(nodesDir(join(work, 'harness')), 'node_modules', PACKAGE_NAME));
		// Our compiled nodes and credentials are there; n8n's own packages (the peer) are not.
		for (const file of [...rootPackage.n8n.nodes, ...rootPackage.n8n.credentials]) {
			expect(Object.keys(ours)).toContain(posix.join(PACKAGE_NAME, file));
		}
		expect(Object.keys(ours).some((file) => file.startsWith('n8n-workflow/'))).toBe(false);

		// Both record the package in nodes/package.json, as n8n does for what it installs.
		for (const userFolder of [imageUserFolder, join(work, 'harness')]) {
			const manifest = JSON.parse(readFileSync(join(nodesDir(userFolder), 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
			expect(Object.keys(manifest.dependencies)).toEqual([PACKAGE_NAME]);
		}
	});

	it('is not hidden by a volume in compose: every n8n process sees the package of its image', () => {
		const { N8N_USER_FOLDER } = finalEnv(dockerfile, 'ENV');
		const nodesDir = posix.join(N8N_USER_FOLDER, '.n8n', 'nodes');
		const n8nServices = Object.entries(readComposeRaw().services).filter(([, s]) => s.build?.dockerfile === 'docker/n8n.Dockerfile');
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
		// The runtime the e2e tests use (scripts/install-n8n.sh), when it is installed.
		const runtime =
			process.env.TP_N8N_RUNTIME ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'n8n-nodes-tiltedprompts', `n8n-${N8N_VERSION}`);
		const modules = join(runtime, 'node_modules');
		if (!existsSync(join(modules, 'n8n', 'package.json'))) {
			console.warn(`n8n ${N8N_VERSION} is not installed in ${runtime} (npm run n8n:install); variable names not checked.`);
			return;
		}
		const names = new Set<string>();
		for (const [, service] of Object.entries(readComposeRaw().services).filter(([, s]) => s.build?.dockerfile === 'docker/n8n.Dockerfile')) {
			for (const name of Object.keys(service.environment ?? {})) if (name !== 'TZ') names.add(name); // TZ is the C library's
		}
		expect(names.size).toBeGreaterThan(15);
		const found = spawnSync(
			'grep',
			['-rhowF', '--include=*.js', ...[...names].flatMap((name) => ['-e', name]), ...['n8n/dist', '@n8n/config/dist', 'n8n-core/dist'].map((dir) => join(modules, dir))],
			{ encoding: 'utf8' },
		).stdout;
		const read = new Set(found.split('\n'));
		expect([...names].filter((name) => !read.has(name))).toEqual([]);
	});

	it('copies the workflow templates to the folder the README imports them from', () => {
		const copy = dockerfile.final.find((i) => i.keyword === 'COPY' && i.args.startsWith('workflows '));
		const destination = copy!.args.split(/\s+/)[1];
		const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
		const deployment = readme.slice(readme.indexOf('<!-- section: deployment -->'), readme.indexOf('## License'));
		expect(deployment).toContain(`import:workflow --separate --input=${destination}`);
	});
});
