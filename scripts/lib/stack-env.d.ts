export declare const STACK_ENV_FILE: 'stack.env';
export declare function writeStackEnv(
	dataDir: string,
	stack: { databaseUrl: string; serviceUrl: string; n8nUrl: string },
): string;
