import type { ChildProcess } from 'node:child_process';

export declare const N8N_VERSION: string;
export declare const PACKAGE_NAME: string;
export declare const ROOT: string;
export declare function ensureRuntime(): string;
export declare function nodeBinary(): string;
export declare function packPackage(destDir: string): string;
export declare function installPackage(userFolder: string, tarball: string): string;
export interface N8nEnvOptions {
	userFolder: string;
	port: number;
	brokerPort: number;
	databaseUrl: string;
	encryptionKey?: string;
	logLevel?: string;
	listenAddress?: string;
	extra?: Record<string, string>;
}
export declare function n8nEnv(options: N8nEnvOptions): NodeJS.ProcessEnv;
export declare function runCli(
	runtimeDir: string,
	args: string[],
	env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }>;
export interface N8nServer {
	child: ChildProcess;
	url: string;
	output(): string;
	stop(): Promise<void>;
}
export declare function startServer(
	runtimeDir: string,
	env: NodeJS.ProcessEnv,
	options?: { onOutput?: (chunk: string) => void; timeoutMs?: number; args?: string[]; readyUrl?: string },
): Promise<N8nServer>;
