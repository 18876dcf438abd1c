// Podman on our machines (GUIDE §3): the OCI runtime runc, cgroupfs and explicit ulimits, set in a
// containers.conf this file writes (CONTAINERS_CONF), never on the machine. No image registry is
// reachable, so the base images our Dockerfiles name are synthesised here as local stand-ins for the
// registry's images, and kept in Podman's storage (/var/lib/containers, outside the checkout) for the
// next run: each one carries a label with the hash of what it was built from and is rebuilt only when
// that changes.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureRuntime, N8N_VERSION } from '../../../scripts/lib/n8n';

export const ROOT = join(__dirname, '..', '..', '..');
const HERE = __dirname;

/** The stand-ins, tagged with the names our Dockerfiles and the compose override use. */
export const STAND_INS = {
	debian: 'localhost/tiltedprompts-stand-in/debian:bookworm',
	node: 'docker.io/library/node:24.21.0-bookworm-slim',
	n8n: `docker.io/n8nio/n8n:${N8N_VERSION}`,
	backing: 'localhost/tiltedprompts-stand-in/backing:bookworm',
} as const;

/** npm for the node stand-in (the official image ships the npm of its Node release line). */
const NPM_VERSION = '11.21.2';
const LABEL = 'tiltedprompts.stand-in';

export interface Run {
	code: number | null;
	stdout: string;
	stderr: string;
}

export interface RunOptions {
	env: NodeJS.ProcessEnv;
	cwd?: string;
	timeoutMs?: number;
	/** Called with every chunk of output (progress for long builds). */
	onOutput?: (text: string) => void;
}

/** Runs a command to its end and returns its exit code and output (never throws on a failing exit). */
export function run(command: string, args: string[], options: RunOptions): Promise<Run> {
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, {
			env: options.env,
			cwd: options.cwd ?? ROOT,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (chunk: Buffer) => {
			stdout += chunk.toString();
			options.onOutput?.(chunk.toString());
		});
		child.stderr.on('data', (chunk: Buffer) => {
			stderr += chunk.toString();
			options.onOutput?.(chunk.toString());
		});
		const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs).unref() : undefined;
		child.on('error', reject);
		child.on('close', (code) => {
			if (timer) clearTimeout(timer);
			resolve({ code, stdout, stderr });
		});
	});
}

/** Like run, but a non-zero exit is an error that carries the command's output. */
export async function mustRun(command: string, args: string[], options: RunOptions): Promise<Run> {
	const result = await run(command, args, options);
	if (result.code !== 0) {
		const tail = (result.stdout + result.stderr).split('\n').slice(-40).join('\n');
		throw new Error(`${command} ${args.join(' ')} exited with ${result.code}:\n${tail}`);
	}
	return result;
}

/**
 * The environment every podman and podman-compose call of the tests runs with: this machine's Podman
 * settings in a containers.conf of our own (runc; cgroupfs, as there is no systemd; explicit ulimits,
 * as Podman's defaults exceed what the machine allows: 16384 open files, n8n's start opens more than
 * 1024).
 */
export function podmanEnv(dir: string): NodeJS.ProcessEnv {
	const conf = join(dir, 'containers.conf');
	writeFileSync(
		conf,
		[
			'[containers]',
			'default_ulimits = ["nofile=16384:16384", "nproc=4096:4096"]',
			'[engine]',
			'runtime = "runc"',
			'cgroup_manager = "cgroupfs"',
			'events_logger = "file"',
			'',
		].join('\n'),
	);
	const env: NodeJS.ProcessEnv = { ...process.env, CONTAINERS_CONF: conf };
	// jest's variables and NODE_ENV=test are the test runner's, not the deployment's.
	for (const key of Object.keys(env)) if (key.startsWith('JEST_')) delete env[key];
	delete env.NODE_ENV;
	return env;
}

/** The commands our tests need, with the Debian packages that bring them (.ci/run installs them). */
export function missingTools(): string[] {
	const tools = { podman: 'podman', runc: 'runc', mmdebstrap: 'mmdebstrap', 'podman-compose': 'podman-compose' };
	const path = (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin']);
	return Object.entries(tools)
		.filter(([bin]) => !path.some((dir) => existsSync(join(dir, bin))))
		.map(([, pkg]) => pkg);
}

async function labelOf(env: NodeJS.ProcessEnv, image: string): Promise<string | undefined> {
	const result = await run('podman', ['image', 'inspect', '--format', `{{ index .Labels "${LABEL}" }}`, image], {
		env,
	});
	return result.code === 0 ? result.stdout.trim() : undefined;
}

function hashOf(...parts: Array<string | Buffer>): string {
	const hash = createHash('sha256');
	for (const part of parts) hash.update(part).update('\0');
	return hash.digest('hex').slice(0, 16);
}

interface StandInBuild {
	image: string;
	containerfile: string;
	/** What decides the image's content besides its Containerfile (hashed into its label). */
	inputs: Array<string | Buffer>;
	/** The files of the build context (name → source path), gathered only when a build is needed. */
	context?: () => Promise<Record<string, string>>;
	args?: string[];
}

async function buildStandIn(env: NodeJS.ProcessEnv, spec: StandInBuild, log: (line: string) => void): Promise<void> {
	const containerfile = join(HERE, spec.containerfile);
	const hash = hashOf(readFileSync(containerfile), ...spec.inputs);
	if ((await labelOf(env, spec.image)) === hash) return;
	log(`building the stand-in ${spec.image}`);
	const context = mkdtempSync(join(tmpdir(), 'tp-stand-in-'));
	try {
		for (const [name, source] of Object.entries((await spec.context?.()) ?? {}))
			copyFileSync(source, join(context, name));
		await mustRun(
			'podman',
			['build', '--label', `${LABEL}=${hash}`, ...(spec.args ?? []), '-f', containerfile, '-t', spec.image, context],
			{ env, onOutput: () => undefined },
		);
	} finally {
		rmSync(context, { recursive: true, force: true });
	}
}

async function ensureDebian(env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<void> {
	if ((await labelOf(env, STAND_INS.debian)) !== undefined) return;
	log(`building the stand-in ${STAND_INS.debian} (mmdebstrap)`);
	const dir = mkdtempSync(join(tmpdir(), 'tp-debootstrap-'));
	try {
		const tar = join(dir, 'bookworm.tar');
		await mustRun('mmdebstrap', ['--variant=minbase', 'bookworm', tar], { env });
		await mustRun('podman', ['import', '--change', `LABEL ${LABEL}=minbase`, tar, STAND_INS.debian], { env });
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

/** The CA bundle the host trusts: our network reaches the npm registry through a TLS-intercepting proxy. */
function hostCaBundle(): string {
	const candidates = [process.env.NODE_EXTRA_CA_CERTS, '/etc/ssl/certs/ca-certificates.crt'];
	const found = candidates.find((file): file is string => !!file && existsSync(file));
	if (found) return found;
	const empty = join(mkdtempSync(join(tmpdir(), 'tp-ca-')), 'none.crt');
	writeFileSync(empty, '');
	return empty;
}

async function npmTarball(env: NodeJS.ProcessEnv): Promise<string> {
	const dir = mkdtempSync(join(tmpdir(), 'tp-npm-'));
	await mustRun('npm', ['pack', `npm@${NPM_VERSION}`, '--silent', '--pack-destination', dir], { env, cwd: dir });
	return join(dir, `npm-${NPM_VERSION}.tgz`);
}

/**
 * Makes sure every base image our Dockerfiles name exists locally (and the backing stand-in of the
 * compose test): built once per machine, reused while their inputs stay the same.
 */
export async function ensureStandIns(env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<void> {
	await ensureDebian(env, log);
	const debianId = (
		await mustRun('podman', ['image', 'inspect', '--format', '{{.Id}}', STAND_INS.debian], { env })
	).stdout.trim();
	const nodeBinary = join(ROOT, 'node_modules', 'node', 'bin', 'node');
	const nodeVersion = (await mustRun(nodeBinary, ['--version'], { env })).stdout.trim();
	if (`v${STAND_INS.node.split(':')[1].split('-')[0]}` !== nodeVersion)
		throw new Error(`the node devDependency is ${nodeVersion}, the Dockerfiles name ${STAND_INS.node}`);
	const base = ['--build-arg', `BASE=${STAND_INS.debian}`];

	const entrypoint = join(HERE, 'docker-entrypoint.sh');
	await buildStandIn(
		env,
		{
			image: STAND_INS.node,
			containerfile: 'node.Containerfile',
			inputs: [debianId, nodeVersion, NPM_VERSION, readFileSync(entrypoint), readFileSync(hostCaBundle())],
			context: async () => ({
				node: nodeBinary,
				'npm.tgz': await npmTarball(env),
				'docker-entrypoint.sh': entrypoint,
				'host-ca.crt': hostCaBundle(),
			}),
			args: base,
		},
		log,
	);

	const runtime = ensureRuntime();
	await buildStandIn(
		env,
		{
			image: STAND_INS.n8n,
			containerfile: 'n8n.Containerfile',
			inputs: [
				N8N_VERSION,
				readFileSync(join(runtime, 'package-lock.json')),
				readFileSync(join(HERE, 'n8n-entrypoint.sh')),
			],
			context: async () => ({ 'n8n-entrypoint.sh': join(HERE, 'n8n-entrypoint.sh') }),
			args: ['--build-arg', `BASE=${STAND_INS.node}`, '-v', `${runtime}:/opt/n8n-runtime:ro`],
		},
		log,
	);
	await buildStandIn(
		env,
		{ image: STAND_INS.backing, containerfile: 'backing.Containerfile', inputs: [debianId], args: base },
		log,
	);
}

/**
 * A TCP relay from every host address to a loopback port: containers reach the host's Postgres (which
 * listens on 127.0.0.1 only) at host.containers.internal:<port>.
 */
export async function hostRelay(targetPort: number): Promise<{ port: number; close(): Promise<void> }> {
	const open = new Set<Socket>();
	const server: Server = createServer((socket) => {
		const upstream = connect(targetPort, '127.0.0.1');
		for (const end of [socket, upstream]) {
			open.add(end);
			end.on('close', () => open.delete(end));
		}
		socket.pipe(upstream).pipe(socket);
		socket.on('error', () => upstream.destroy());
		upstream.on('error', () => socket.destroy());
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '0.0.0.0', resolve);
	});
	const address = server.address();
	const port = typeof address === 'object' && address ? address.port : 0;
	return {
		port,
		// A removed container's connections may never say goodbye: they are cut.
		close: () =>
			new Promise((resolve) => {
				server.close(() => resolve());
				for (const socket of open) socket.destroy();
			}),
	};
}
