import type { ChildProcess } from 'node:child_process';

export declare const DEFAULT_CONCURRENCY: number;
export declare const COMMANDS: {
	main(): string[];
	webhook(): string[];
	worker(concurrency?: number): string[];
};
export declare function queueEnv(redis: { host: string; port: number; password: string }): Record<string, string>;

export interface RedisServer {
	host: string;
	port: number;
	password: string;
	url: string;
	child: ChildProcess;
	output(): string;
	stop(): Promise<void>;
}
export declare function startRedis(options: {
	dir: string;
	port?: number;
	password?: string;
	persistent?: boolean;
	onOutput?: (chunk: string) => void;
	timeoutMs?: number;
}): Promise<RedisServer>;

export interface QueueProcess {
	/** 'main', 'webhook', 'worker-1', 'worker-2', … */
	name: string;
	kind: 'main' | 'webhook' | 'worker';
	/** http://localhost:<port>: the editor/API (main), production webhooks (webhook), health check (worker). */
	url: string;
	port: number;
	env: NodeJS.ProcessEnv;
	child: ChildProcess;
	/** The last 20,000 characters of its output. */
	output(): string;
	/** Ids of the executions this process started ("Worker started execution <id>"; workers only). */
	executions(): string[];
	/**
	 * Main only: the worker id (n8n's hostId, `worker-<id>`) main recorded for a finished execution,
	 * read from its log line "Execution <id> (job <job>) finished" (needs N8N_LOG_FORMAT=json and
	 * log level info). n8n stores no worker id in the database or the executions API.
	 */
	finishedBy(executionId: string | number): string | undefined;
	stop(): Promise<void>;
}

export interface QueueStackOptions {
	/** n8n's own Postgres database, shared by every n8n process. */
	databaseUrl: string;
	/** Our packed package (`npm pack`), installed into main's user folder and shared with the others. */
	tarball?: string;
	/** Number of `n8n worker` processes (default 2). */
	workers?: number;
	/** Each worker's --concurrency (default 10, as docker/compose.yml). */
	concurrency?: number;
	/** Folder for user folders and Redis (default: a temporary folder that stop() removes). */
	dataDir?: string;
	mainUserFolder?: string;
	encryptionKey?: string;
	ports?: { main?: number; webhook?: number; redis?: number };
	persistentRedis?: boolean;
	/** N8N_LOG_LEVEL of main and webhook (default 'warn'); workers log at 'info' at least. */
	logLevel?: string;
	extraEnv?: Record<string, string>;
	onOutput?: (name: string, chunk: string) => void;
	runtime?: string;
}

export interface QueueStack {
	main: QueueProcess;
	webhook: QueueProcess;
	workers: QueueProcess[];
	redis: { host: string; port: number; password: string; url: string; child: ChildProcess };
	encryptionKey: string;
	dataDir: string;
	/** Runs an n8n CLI command (import:workflow, import:credentials, …) against the stack's database. */
	cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }>;
	/** The worker that started this execution, if any did. */
	workerOf(executionId: string | number): QueueProcess | undefined;
	/** Stops workers, webhook processor, main, then Redis. */
	stop(): Promise<void>;
}

export declare function startQueueStack(options: QueueStackOptions): Promise<QueueStack>;
export declare function readEncryptionKey(userFolder: string): string | undefined;
