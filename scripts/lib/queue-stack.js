// n8n in queue mode on this machine, without containers: Redis (Debian's redis-server) on a free
// port with a password, then n8n 2.40.7 as main + webhook processor + workers on one Postgres
// database, with the environment of docker/compose.yml's `queue` profile (x-n8n-queue-env). Used by
// the e2e tests, `npm start --queue` and the scale benchmark.
//
// Each n8n process gets its own user folder (as each container has its own): n8n keeps a crash
// journal and an event log per folder, and two workers sharing one would overwrite each other's.
// Our package is installed once, in main's folder, and the others' `.n8n/nodes` link to it.
'use strict';
const { spawn } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } = require('node:fs');
const net = require('node:net');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { ensureRuntime, installPackage, n8nEnv, runCli, startServer } = require('./n8n');

const REDIS_BINARY = process.env.REDIS_SERVER ?? '/usr/bin/redis-server';
/** `n8n worker --concurrency`: the compose file's default (N8N_WORKER_CONCURRENCY). */
const DEFAULT_CONCURRENCY = 10;

/**
 * The queue-mode variables every n8n process of the stack gets: the same names and meanings as the
 * compose file's x-n8n-queue-env (test/unit/deploy/queue-stack.test.ts compares them).
 * @param {{ host: string, port: number, password: string }} redis
 */
function queueEnv(redis) {
	return {
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: redis.host,
		QUEUE_BULL_REDIS_PORT: String(redis.port),
		QUEUE_BULL_REDIS_PASSWORD: redis.password,
		QUEUE_HEALTH_CHECK_ACTIVE: 'true',
		OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
	};
}

/** The n8n command of each process kind (the compose file's `command:` of n8n-main, n8n-webhook, n8n-worker). */
const COMMANDS = {
	main: () => ['start'],
	webhook: () => ['webhook'],
	worker: (concurrency = DEFAULT_CONCURRENCY) => ['worker', `--concurrency=${concurrency}`],
};

function freePort() {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address();
			server.close(() => resolve(port));
		});
	});
}

/** One RESP round trip: AUTH then PING; resolves true on +PONG. */
function redisPing({ host, port, password }) {
	return new Promise((resolve) => {
		const socket = net.connect({ host, port });
		let reply = '';
		const done = (ok) => (socket.destroy(), resolve(ok));
		socket.setTimeout(2000, () => done(false));
		socket.on('error', () => done(false));
		socket.on('data', (chunk) => {
			reply += chunk;
			if (/\+PONG\r\n/.test(reply)) done(true);
			else if (/-[A-Z]+[^\r]*\r\n/.test(reply)) done(false);
		});
		const arg = (s) => `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
		socket.write(`*2\r\n${arg('AUTH')}${arg(password)}*1\r\n${arg('PING')}`);
	});
}

/** Stops a child process: SIGTERM, SIGKILL after `graceMs`. */
function stopChild(child, graceMs = 20000) {
	if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
	return new Promise((resolve) => {
		const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
		child.once('exit', () => (clearTimeout(timer), resolve()));
		child.kill('SIGTERM');
	});
}

/**
 * Starts redis-server on loopback with a password (in a config file, not on the command line).
 * @param {{ dir: string, port?: number, password?: string, persistent?: boolean, onOutput?: (chunk: string) => void, timeoutMs?: number }} options
 */
async function startRedis(options) {
	if (!existsSync(REDIS_BINARY))
		throw new Error(
			`${REDIS_BINARY} not found: install Debian's redis-server package (apt-get install redis-server) or set REDIS_SERVER.`,
		);
	const host = '127.0.0.1';
	const port = options.port ?? (await freePort());
	const password = options.password ?? randomBytes(18).toString('hex');
	mkdirSync(options.dir, { recursive: true });
	const conf = join(options.dir, 'redis.conf');
	const lines = [
		`bind ${host}`,
		`port ${port}`,
		`requirepass ${password}`,
		`dir ${options.dir}`,
		'daemonize no',
		'protected-mode yes',
		// Queue mode keeps jobs in Redis until a worker takes them: `npm start` keeps them across restarts.
		options.persistent ? 'appendonly yes' : 'appendonly no',
		options.persistent ? '' : 'save ""',
	];
	writeFileSync(conf, `${lines.filter(Boolean).join('\n')}\n`, { mode: 0o600 });
	const child = spawn(REDIS_BINARY, [conf], { stdio: ['ignore', 'pipe', 'pipe'] });
	let output = '';
	const collect = (chunk) => {
		output = (output + chunk).slice(-10000);
		if (options.onOutput) options.onOutput(String(chunk));
	};
	child.stdout.on('data', collect);
	child.stderr.on('data', collect);
	const deadline = Date.now() + (options.timeoutMs ?? 30000);
	for (;;) {
		if (child.exitCode !== null) throw new Error(`redis-server exited during start-up:\n${output}`);
		if (await redisPing({ host, port, password })) break;
		if (Date.now() > deadline) {
			child.kill('SIGKILL');
			throw new Error(`redis-server did not answer on ${host}:${port} in time:\n${output}`);
		}
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
	return {
		host,
		port,
		password,
		url: `redis://:${password}@${host}:${port}`,
		child,
		output: () => output,
		stop: () => stopChild(child, 5000),
	};
}

/** Links `<folder>/.n8n/nodes` to the folder where our package is installed. */
function shareNodes(userFolder, nodesDir) {
	const dotN8n = join(userFolder, '.n8n');
	mkdirSync(dotN8n, { recursive: true });
	const link = join(dotN8n, 'nodes');
	if (!existsSync(link)) symlinkSync(nodesDir, link, 'dir');
}

/**
 * Starts one n8n process (`n8n <command>`) and waits for its readiness endpoint.
 * @returns {Promise<QueueProcess>}
 */
async function startProcess(runtime, { name, kind, args, env, port, readyUrl, onOutput, timeoutMs }) {
	// A worker logs "Worker started execution <id> (job <job>)" (info) for every execution it takes.
	const executions = new Set();
	const finishedBy = new Map();
	let partial = '';
	const server = await startServer(runtime, env, {
		args,
		readyUrl,
		timeoutMs,
		onOutput: (chunk) => {
			if (onOutput) onOutput(name, chunk);
			const lines = (partial + chunk).split('\n');
			partial = lines.pop() ?? '';
			for (const line of lines) {
				const started = /Worker started execution (\S+) \(job /.exec(line);
				if (started) executions.add(started[1]);
				// Main's record of a finished job names the worker (n8n's hostId) in the line's metadata,
				// printed with N8N_LOG_FORMAT=json.
				const finished = /"message":"Execution (\S+) \(job [^)]*\) finished".*"workerId":"([^"]+)"/.exec(line);
				if (finished) finishedBy.set(finished[1], finished[2]);
			}
		},
	});
	return {
		name,
		kind,
		url: `http://localhost:${port}`,
		port,
		env,
		child: server.child,
		output: server.output,
		executions: () => [...executions],
		finishedBy: (executionId) => finishedBy.get(String(executionId)),
		stop: server.stop,
	};
}

/**
 * Starts Redis and n8n in queue mode: main (editor, API, triggers and pollers), one webhook
 * processor (production webhooks) and `workers` workers (every execution).
 *
 * @param {object} options
 * @param {string} options.databaseUrl n8n's own Postgres database (queue mode needs Postgres; one for all processes)
 * @param {string} [options.tarball] our packed package, installed into main's user folder
 * @param {number} [options.workers] how many `n8n worker` processes (default 2)
 * @param {number} [options.concurrency] each worker's `--concurrency` (default 10, as compose)
 * @param {string} [options.dataDir] folder for the user folders and Redis (default: a new temporary folder, removed by stop())
 * @param {string} [options.mainUserFolder] main's user folder (default `<dataDir>/main`)
 * @param {string} [options.encryptionKey] shared N8N_ENCRYPTION_KEY (default: generated)
 * @param {{ main?: number, webhook?: number, redis?: number }} [options.ports] fixed ports (default: free ones)
 * @param {boolean} [options.persistentRedis] Redis keeps its data in `<dataDir>/redis` (append-only file)
 * @param {string} [options.logLevel] N8N_LOG_LEVEL of main and webhook (default 'warn'); workers log at
 *   'info' at least, so their output says which executions they ran
 * @param {Record<string, string>} [options.extraEnv] added to every n8n process's environment
 * @param {(name: string, chunk: string) => void} [options.onOutput] every process's output, by name
 *   ('redis', 'main', 'webhook', 'worker-1', …)
 * @param {string} [options.runtime] the n8n runtime folder (default: ensureRuntime())
 * @returns {Promise<QueueStack>}
 */
async function startQueueStack(options) {
	const runtime = options.runtime ?? ensureRuntime();
	const ownDataDir = !options.dataDir;
	const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'tp-queue-'));
	const workerCount = options.workers ?? 2;
	const encryptionKey = options.encryptionKey ?? randomBytes(24).toString('hex');
	const ports = options.ports ?? {};
	const onOutput = options.onOutput;
	const started = [];
	let redis;

	const stop = async () => {
		// Workers and the webhook processor first (they finish what they hold), main, then Redis.
		for (const proc of [...started].reverse()) await proc.stop().catch(() => undefined);
		if (redis) await redis.stop().catch(() => undefined);
		if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
	};

	try {
		redis = await startRedis({
			dir: join(dataDir, 'redis'),
			port: ports.redis,
			persistent: options.persistentRedis,
			onOutput: onOutput ? (chunk) => onOutput('redis', chunk) : undefined,
		});
		const shared = queueEnv(redis);
		const mainUserFolder = options.mainUserFolder ?? join(dataDir, 'main');
		mkdirSync(mainUserFolder, { recursive: true });
		if (options.tarball) installPackage(mainUserFolder, options.tarball);
		const nodesDir = join(mainUserFolder, '.n8n', 'nodes');
		mkdirSync(nodesDir, { recursive: true });

		const mainPort = ports.main ?? (await freePort());
		const webhookPort = ports.webhook ?? (await freePort());
		const logLevel = options.logLevel ?? 'warn';
		const envFor = async (userFolder, port, extra = {}, level = logLevel) =>
			n8nEnv({
				userFolder,
				port,
				brokerPort: await freePort(),
				databaseUrl: options.databaseUrl,
				encryptionKey,
				logLevel: level,
				listenAddress: '127.0.0.1',
				extra: {
					...shared,
					// Production webhooks (and the URLs triggers register) go to the webhook processor;
					// the editor is main's (n8n would otherwise print the webhook URL as the editor's).
					N8N_WEBHOOK_URL: `http://localhost:${webhookPort}/`,
					N8N_EDITOR_BASE_URL: `http://localhost:${mainPort}/`,
					...options.extraEnv,
					...extra,
				},
			});
		const readyUrl = (port) => `http://127.0.0.1:${port}/healthz/readiness`;

		// Main first: it runs the database migrations the others wait for (compose: depends_on healthy).
		const main = await startProcess(runtime, {
			name: 'main',
			kind: 'main',
			args: COMMANDS.main(),
			env: await envFor(mainUserFolder, mainPort),
			port: mainPort,
			readyUrl: readyUrl(mainPort),
			onOutput,
		});
		started.push(main);

		const webhookFolder = join(dataDir, 'webhook');
		shareNodes(webhookFolder, nodesDir);
		const pending = [
			startProcess(runtime, {
				name: 'webhook',
				kind: 'webhook',
				args: COMMANDS.webhook(),
				env: await envFor(webhookFolder, webhookPort),
				port: webhookPort,
				readyUrl: readyUrl(webhookPort),
				onOutput,
			}),
		];
		const workerLevel = ['debug', 'info'].includes(logLevel) ? logLevel : 'info';
		for (let i = 1; i <= workerCount; i++) {
			const folder = join(dataDir, `worker-${i}`);
			shareNodes(folder, nodesDir);
			const healthPort = await freePort();
			pending.push(
				startProcess(runtime, {
					name: `worker-${i}`,
					kind: 'worker',
					args: COMMANDS.worker(options.concurrency),
					// A worker serves no editor: its one HTTP server is the health check
					// (QUEUE_HEALTH_CHECK_PORT). N8N_PORT gets a free port all the same, never a shared default.
					env: await envFor(folder, await freePort(), { QUEUE_HEALTH_CHECK_PORT: String(healthPort) }, workerLevel),
					port: healthPort,
					readyUrl: readyUrl(healthPort),
					onOutput,
				}),
			);
		}
		const results = await Promise.allSettled(pending);
		for (const result of results) if (result.status === 'fulfilled') started.push(result.value);
		const failed = results.find((result) => result.status === 'rejected');
		if (failed) throw failed.reason;
		const [webhook, ...workers] = results.map((result) => result.value);

		return {
			main,
			webhook,
			workers,
			redis: { host: redis.host, port: redis.port, password: redis.password, url: redis.url, child: redis.child },
			encryptionKey,
			dataDir,
			/** Runs an n8n CLI command (import:workflow, import:credentials, …) against the stack's database. */
			async cli(args) {
				return runCli(runtime, args, await envFor(mainUserFolder, await freePort(), {}, 'info'));
			},
			/** The worker whose log says it started this execution ("Worker started execution <id>"), if any. */
			workerOf(executionId) {
				return workers.find((worker) => worker.executions().includes(String(executionId)));
			},
			stop,
		};
	} catch (error) {
		await stop();
		throw error;
	}
}

/** Reads the encryption key n8n wrote into a user folder's `.n8n/config` (undefined when none yet). */
function readEncryptionKey(userFolder) {
	const file = join(userFolder, '.n8n', 'config');
	if (!existsSync(file)) return undefined;
	try {
		return JSON.parse(readFileSync(file, 'utf8')).encryptionKey;
	} catch {
		return undefined;
	}
}

module.exports = {
	DEFAULT_CONCURRENCY,
	COMMANDS,
	queueEnv,
	startRedis,
	startQueueStack,
	readEncryptionKey,
};
