export declare const PARTS: readonly ['Postgres', 'service', 'n8n'];
export declare const SANDBOX_PART: 'Meta sandbox';
export declare function partEnded(
	part: string,
	ended: { code: number | null; signal: string | null },
	state: { stopping: boolean; logFile: string; parts?: readonly string[] },
): null | { exitCode: number; message: string };
