// Real-n8n harness: n8n 2.40.7 from the cache folder, our packed package installed as a community
// package, Postgres from the run's embedded server, a fresh user folder and database per instance.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
	ensureRuntime,
	installPackage,
	n8nEnv,
	packPackage,
	runCli,
	startServer,
	type N8nServer,
} from '../../scripts/lib/n8n';
import { startQueueStack, type QueueStack } from '../../scripts/lib/queue-stack';
import { freePort } from '../../service/src/db/embedded';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres';

export const OWNER = {
	email: 'owner@example.com',
	password: 'E2e-Owner-Passw0rd',
	firstName: 'Test',
	lastName: 'Owner',
};

export interface CredentialToImport {
	id: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
}

export interface N8nInstance {
	url: string;
	userFolder: string;
	/** Session cookie of the instance owner (set up on start). */
	cookie: string;
	rest<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
	nodeTypes(): Promise<Array<{ name: string; displayName: string; credentials?: Array<{ name: string }> }>>;
	credentialTypes(): Promise<Array<{ name: string; displayName: string }>>;
	importCredentials(credentials: CredentialToImport[]): Promise<void>;
	/** Imports one workflow with `n8n import:workflow`; returns its id. */
	importWorkflow(workflow: Record<string, unknown>): Promise<string>;
	/** Runs a workflow with `n8n execute --rawOutput` and returns the parsed run data. */
	execute(workflowId: string): Promise<ExecuteResult>;
	cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }>;
	stop(): Promise<void>;
}

export interface ExecuteResult {
	raw: unknown;
	/** Output items (json only) of the named node's first run, first output. */
	output(nodeName: string): Array<Record<string, unknown>>;
	error?: string;
}

let tarball: string | undefined;
function packedPackage(): string {
	if (!tarball) tarball = packPackage(mkdtempSync(join(tmpdir(), 'tp-pack-')));
	return tarball;
}

export async function startN8n(options: { extraEnv?: Record<string, string> } = {}): Promise<N8nInstance> {
	const runtime = ensureRuntime();
	const userFolder = mkdtempSync(join(tmpdir(), 'tp-n8n-'));
	installPackage(userFolder, packedPackage());
	const db: TestDatabase = await createTestDatabase('n8n');
	const baseEnv = {
		userFolder,
		databaseUrl: db.url,
		encryptionKey: randomBytes(24).toString('hex'),
		listenAddress: '127.0.0.1',
		extra: options.extraEnv,
	};
	const env = n8nEnv({ ...baseEnv, port: await freePort(), brokerPort: await freePort() });
	let server: N8nServer;
	try {
		server = await startServer(runtime, env);
	} catch (error) {
		await db.drop();
		throw error;
	}
	// Each CLI process is a separate n8n instance: it needs its own task-runner broker port.
	// The CLI prints its results through n8n's logger at info level.
	const cli = async (args: string[]) =>
		runCli(
			runtime,
			args,
			n8nEnv({ ...baseEnv, logLevel: 'info', port: await freePort(), brokerPort: await freePort() }),
		);
	return await connect(server.url, userFolder, cli, async () => {
		await server.stop();
		await db.drop();
		rmSync(userFolder, { recursive: true, force: true });
	});
}

/**
 * n8n in queue mode (scripts/lib/queue-stack.js): Redis, main, a webhook processor and `workers`
 * workers on a fresh database. The instance talks to main; `stack` has every process.
 */
export async function startN8nQueue(
	options: { workers?: number; extraEnv?: Record<string, string> } = {},
): Promise<N8nInstance & { stack: QueueStack }> {
	const db: TestDatabase = await createTestDatabase('n8n');
	let stack: QueueStack;
	try {
		stack = await startQueueStack({
			databaseUrl: db.url,
			tarball: packedPackage(),
			workers: options.workers ?? 2,
			extraEnv: options.extraEnv,
			logLevel: 'info',
		});
	} catch (error) {
		await db.drop();
		throw error;
	}
	const instance = await connect(stack.main.url, join(stack.dataDir, 'main'), stack.cli, async () => {
		await stack.stop();
		await db.drop();
	});
	return { ...instance, stack };
}

/** Sets up the owner of a started n8n and returns the instance's REST, import and CLI helpers. */
async function connect(
	url: string,
	userFolder: string,
	cli: N8nInstance['cli'],
	stop: () => Promise<void>,
): Promise<N8nInstance> {
	const setup = await fetch(`${url}/rest/owner/setup`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(OWNER),
	});
	if (!setup.ok) throw new Error(`owner setup failed: ${setup.status} ${await setup.text()}`);
	const cookie = (setup.headers.get('set-cookie') ?? '').split(';')[0];

	const rest = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
		const res = await fetch(`${url}${path}`, {
			method,
			headers: { cookie, 'content-type': 'application/json', 'browser-id': 'e2e' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await res.text();
		if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
		return (text ? JSON.parse(text) : undefined) as T;
	};

	const importFile = async (command: string, data: unknown) => {
		const file = join(userFolder, `import-${randomBytes(4).toString('hex')}.json`);
		writeFileSync(file, JSON.stringify(data));
		const result = await cli([command, `--input=${file}`]);
		if (result.code !== 0)
			throw new Error(`n8n ${command} failed (${result.code}):\n${result.stdout}\n${result.stderr}`);
	};

	return {
		url,
		userFolder,
		cookie,
		rest,
		nodeTypes: () => rest('GET', '/types/nodes.json'),
		credentialTypes: () => rest('GET', '/types/credentials.json'),
		importCredentials: (credentials) => importFile('import:credentials', credentials),
		async importWorkflow(workflow) {
			const id = (workflow.id as string | undefined) ?? randomBytes(8).toString('hex');
			await importFile('import:workflow', { active: false, ...workflow, id });
			return id;
		},
		async execute(workflowId) {
			const result = await cli(['execute', `--id=${workflowId}`, '--rawOutput']);
			return parseExecuteOutput(result.stdout, result.stderr, result.code);
		},
		cli,
		stop,
	};
}

/** `n8n execute --rawOutput` prints the run data as pretty JSON between its log lines. */
export function parseExecuteOutput(stdout: string, stderr: string, code: number | null): ExecuteResult {
	const start = stdout.search(/^\{$/m);
	const end = stdout.lastIndexOf('\n}');
	if (start < 0 || end < start) {
		return {
			raw: undefined,
			output: () => {
				throw new Error(`n8n execute printed no run data (exit ${code}):\n${stdout}\n${stderr}`);
			},
			error: `${stdout}\n${stderr}`.trim(),
		};
	}
	const raw = JSON.parse(stdout.slice(start, end + 2)) as {
		data?: {
			resultData?: {
				runData?: Record<string, Array<{ data?: { main?: Array<Array<{ json: Record<string, unknown> }>> } }>>;
				error?: { message?: string };
			};
		};
	};
	const resultData = raw.data?.resultData;
	return {
		raw,
		error: resultData?.error?.message,
		output(nodeName) {
			const runs = resultData?.runData?.[nodeName];
			if (!runs)
				throw new Error(
					`node "${nodeName}" did not run; nodes that ran: ${Object.keys(resultData?.runData ?? {}).join(', ')}`,
				);
			return (runs[0]?.data?.main?.[0] ?? []).map((item) => item.json);
		},
	};
}
