// Runs the real n8n (GUIDE §3) for `npm start` and the e2e tests: installs the runtime into a cache
// folder, installs our packed package into the user folder's .n8n/nodes exactly as n8n installs a
// community package (so our types are `n8n-nodes-tiltedprompts.*`), and starts n8n on Postgres.
'use strict';
const { execFileSync, spawn } = require('node:child_process');
const { existsSync, mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const ROOT = join(__dirname, '..', '..');
const N8N_VERSION = '2.40.7';
const PACKAGE_NAME = 'n8n-nodes-tiltedprompts';

/** Installs n8n into the cache folder when missing; returns the folder. Progress goes to stderr. */
function ensureRuntime() {
	const out = execFileSync('bash', [join(ROOT, 'scripts', 'install-n8n.sh')], {
		encoding: 'utf8',
		env: { ...process.env, N8N_VERSION },
		stdio: ['ignore', 'pipe', 'inherit'],
	});
	const dir = out.trim().split('\n').pop();
	if (!dir || !existsSync(join(dir, 'node_modules', 'n8n', 'bin', 'n8n'))) {
		throw new Error(`n8n ${N8N_VERSION} is not installed in ${dir}; run \`npm run n8n:install\`.`);
	}
	return dir;
}

/** n8n 2.x needs Node 24: the project's own (node devDependency), else the running one. */
function nodeBinary() {
	const own = join(ROOT, 'node_modules', 'node', 'bin', 'node');
	return existsSync(own) ? own : process.execPath;
}

/** `npm pack` of the built package (dist/ must be current); returns the tarball's path. */
function packPackage(destDir) {
	mkdirSync(destDir, { recursive: true });
	const out = execFileSync('npm', ['pack', '--json', '--pack-destination', destDir, '--loglevel=error'], {
		cwd: ROOT,
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'inherit'],
	});
	const [info] = JSON.parse(out);
	return join(destDir, info.filename);
}

/** Installs a package tarball into `<userFolder>/.n8n/nodes` the way n8n installs community packages. */
function installPackage(userFolder, tarball) {
	const nodesDir = join(userFolder, '.n8n', 'nodes');
	mkdirSync(nodesDir, { recursive: true });
	const manifest = join(nodesDir, 'package.json');
	if (!existsSync(manifest)) {
		writeFileSync(manifest, JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} }, null, 2));
	}
	// --legacy-peer-deps: don't pull the peer n8n-workflow (n8n provides it); --ignore-scripts: ours has none.
	execFileSync(
		'npm',
		['install', tarball, '--legacy-peer-deps', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'],
		{ cwd: nodesDir, stdio: ['ignore', 'ignore', 'inherit'] },
	);
	return join(nodesDir, 'node_modules', PACKAGE_NAME);
}

/**
 * Node flags for every n8n process we start (npm start, the tests, the benches; docker/compose.yml
 * sets the same). A heap limit makes V8 collect n8n's garbage (a new HTTPS agent per request) before
 * it piles up: in a 10,000-message campaign at 80 msg/s n8n's RSS grew 153 MB with it against 619 MB
 * with Node's default limit on a 24 GB machine, at less CPU per message (bench/README.md).
 */
const N8N_NODE_OPTIONS = '--max-old-space-size=1024';

/** The environment of one n8n process. */
function n8nEnv({
	userFolder,
	port,
	brokerPort,
	databaseUrl,
	encryptionKey,
	logLevel = 'warn',
	listenAddress,
	extra = {},
}) {
	const db = new URL(databaseUrl);
	const env = {
		...process.env,
		NODE_OPTIONS: [process.env.NODE_OPTIONS, N8N_NODE_OPTIONS].filter(Boolean).join(' '),
		N8N_USER_FOLDER: userFolder,
		N8N_PORT: String(port),
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		// N8N_WEBHOOK_URL, not the deprecated WEBHOOK_URL (n8n 2.x prints a deprecation block for it).
		N8N_WEBHOOK_URL: `http://localhost:${port}/`,
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: db.hostname,
		DB_POSTGRESDB_PORT: db.port || '5432',
		DB_POSTGRESDB_DATABASE: decodeURIComponent(db.pathname.slice(1)),
		DB_POSTGRESDB_USER: decodeURIComponent(db.username),
		DB_POSTGRESDB_PASSWORD: decodeURIComponent(db.password),
		GENERIC_TIMEZONE: 'UTC',
		N8N_LOG_LEVEL: logLevel,
		N8N_SECURE_COOKIE: 'false',
		N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
		N8N_REINSTALL_MISSING_PACKAGES: 'false',
		// No outbound calls: this machine (and many laptops behind proxies) cannot reach n8n's servers.
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_DYNAMIC_BANNERS_ENABLED: 'false',
		N8N_DIAGNOSTICS_CONFIG_FRONTEND: '',
		N8N_DIAGNOSTICS_CONFIG_BACKEND: '',
		EXTERNAL_FRONTEND_HOOKS_URLS: '',
		// The MCP server registry refreshes from api.n8n.io in the background and prints a stack trace
		// each time it cannot reach it; nothing of ours uses it (the MCP Server Trigger does not).
		N8N_DISABLED_MODULES: 'mcp-registry',
		// Today's defaults, set explicitly: n8n warns at every start about defaults that will change.
		N8N_RUNNERS_TASK_TIMEOUT: '300',
		N8N_COMPRESSION_NODE_MAX_DECOMPRESSED_SIZE_BYTES: String(2 * 1024 ** 3),
		N8N_COMPRESSION_NODE_MAX_ZIP_ENTRIES: '5000',
		...extra,
	};
	// Jest sets NODE_ENV=test, which makes n8n behave as in its own unit tests (and exit at start).
	if (env.NODE_ENV === 'test') delete env.NODE_ENV;
	for (const key of Object.keys(env)) if (key.startsWith('JEST_')) delete env[key];
	if (encryptionKey) env.N8N_ENCRYPTION_KEY = encryptionKey;
	if (listenAddress) env.N8N_LISTEN_ADDRESS = listenAddress;
	return env;
}

function n8nBin(runtimeDir) {
	return join(runtimeDir, 'node_modules', 'n8n', 'bin', 'n8n');
}

/** Runs one n8n CLI command to completion: { code, stdout, stderr }. */
function runCli(runtimeDir, args, env) {
	return new Promise((resolve, reject) => {
		const child = spawn(nodeBinary(), [n8nBin(runtimeDir), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (chunk) => (stdout += chunk));
		child.stderr.on('data', (chunk) => (stderr += chunk));
		child.on('error', reject);
		child.on('close', (code) => resolve({ code, stdout, stderr }));
	});
}

/**
 * Starts `n8n start` (or another long-running command: `args`, e.g. ['worker']); resolves once the
 * readiness endpoint (default: N8N_PORT's /healthz/readiness) answers 200 (database connected, migrated).
 */
async function startServer(runtimeDir, env, { onOutput, timeoutMs = 180000, args = ['start'], readyUrl } = {}) {
	const child = spawn(nodeBinary(), [n8nBin(runtimeDir), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
	let output = '';
	const collect = (chunk) => {
		output = (output + chunk).slice(-20000);
		if (onOutput) onOutput(String(chunk));
	};
	child.stdout.on('data', collect);
	child.stderr.on('data', collect);
	let exited = null;
	const exitPromise = new Promise((resolve) =>
		child.on('exit', (code, signal) => resolve((exited = { code, signal }))),
	);
	const url = `http://localhost:${env.N8N_PORT}`;
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		if (exited) throw new Error(`n8n ${args.join(' ')} exited during start-up (${JSON.stringify(exited)}):\n${output}`);
		try {
			const res = await fetch(readyUrl ?? `${url}/healthz/readiness`);
			if (res.status === 200) break;
		} catch {
			// not listening yet
		}
		if (Date.now() > deadline) {
			child.kill('SIGKILL');
			throw new Error(`n8n ${args.join(' ')} did not become ready within ${timeoutMs / 1000} s:\n${output}`);
		}
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
	return {
		child,
		url,
		output: () => output,
		async stop() {
			if (exited) return;
			child.kill('SIGTERM');
			const timer = setTimeout(() => child.kill('SIGKILL'), 20000);
			await exitPromise;
			clearTimeout(timer);
		},
	};
}

module.exports = {
	N8N_NODE_OPTIONS,
	N8N_VERSION,
	PACKAGE_NAME,
	ROOT,
	ensureRuntime,
	nodeBinary,
	packPackage,
	installPackage,
	n8nEnv,
	runCli,
	startServer,
};
