// n8n 2.40 as the reference side of the service's benchmarks (bench:ingest, bench:fanout): started
// on the bench's embedded Postgres (database n8n_internal) with an owner account, executions not
// saved. `rest` calls n8n's internal REST API as the owner; `activate` creates and activates a workflow.
// `ownerSession` (the owner account and that REST caller) also serves bench:campaign and bench:scale.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { freePort } = require('../dist/db/embedded.js');
const n8nLib = require(join(ROOT, 'scripts', 'lib', 'n8n.js'));

/** Creates n8n's owner account on a fresh n8n at `baseUrl`; returns a caller of its REST API as that owner. */
export async function ownerSession(baseUrl) {
	const owner = { email: 'bench@example.com', password: 'Bench-Owner-Passw0rd', firstName: 'Bench', lastName: 'Owner' };
	const setup = await fetch(`${baseUrl}/rest/owner/setup`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(owner),
	});
	if (!setup.ok) throw new Error(`owner setup: ${setup.status} ${await setup.text()}`);
	const cookie = (setup.headers.get('set-cookie') ?? '').split(';')[0];
	return async (method, path, body) => {
		const res = await fetch(`${baseUrl}/rest${path}`, {
			method,
			headers: { cookie, 'content-type': 'application/json', 'browser-id': 'bench' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await res.text();
		if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
		return JSON.parse(text).data;
	};
}

export async function startReferenceN8n(databaseUrl, log) {
	const runtime = n8nLib.ensureRuntime();
	const userFolder = mkdtempSync(join(tmpdir(), 'tp-bench-n8n-'));
	const env = n8nLib.n8nEnv({
		userFolder,
		port: await freePort(),
		brokerPort: await freePort(),
		databaseUrl: databaseUrl.replace(/\/[^/]*$/, '/n8n_internal'),
		encryptionKey: randomBytes(24).toString('hex'),
		listenAddress: '127.0.0.1',
		extra: { EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'none', EXECUTIONS_DATA_SAVE_MANUAL_EXECUTIONS: 'false' },
	});
	log('n8n: starting 2.40.7');
	const server = await n8nLib.startServer(runtime, env);
	const stop = async () => {
		await server.stop();
		rmSync(userFolder, { recursive: true, force: true });
	};
	try {
		const rest = await ownerSession(server.url);
		const activate = async (workflow) => {
			const created = await rest('POST', '/workflows', {
				...workflow,
				settings: { executionOrder: 'v1', saveDataSuccessExecution: 'none', saveManualExecutions: false },
			});
			await rest('POST', `/workflows/${created.id}/activate`, { versionId: created.versionId });
		};
		return { url: server.url, pid: server.child.pid, rest, activate, stop };
	} catch (error) {
		await stop();
		throw error;
	}
}
