// A throwaway PostgreSQL in a child process (support/postgres-child.mjs), for tests that stop, kill
// and restart the server (never the run's shared one).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export class PostgresChild {
	private waiters: Array<{ line: string; resolve: () => void }> = [];
	private constructor(readonly child: ChildProcessWithoutNullStreams) {
		createInterface({ input: child.stdout }).on('line', (line) => {
			const index = this.waiters.findIndex((w) => w.line === line.trim());
			if (index >= 0) this.waiters.splice(index, 1)[0].resolve();
		});
	}

	static async start(dataDir: string, port: number): Promise<PostgresChild> {
		const child = spawn(process.execPath, [join(__dirname, 'postgres-child.mjs'), dataDir, String(port)], {
			stdio: ['pipe', 'pipe', 'pipe'],
		});
		const pg = new PostgresChild(child);
		await pg.expect('ready', 60_000);
		return pg;
	}

	expect(line: string, timeoutMs = 30_000): Promise<void> {
		return new Promise((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error(`postgres child did not say "${line}"`)), timeoutMs);
			this.waiters.push({ line, resolve: () => (clearTimeout(timer), resolve()) });
		});
	}

	/** `stop`: fast shutdown; `kill`: SIGKILL the postmaster (a crash); `start`: start again (retried until it is up). */
	async command(command: 'stop' | 'start' | 'kill', answer: string, timeoutMs?: number): Promise<void> {
		const done = this.expect(answer, timeoutMs);
		this.child.stdin.write(`${command}\n`);
		await done;
	}

	async exit(): Promise<void> {
		if (this.child.exitCode !== null) return;
		const exited = new Promise((resolve) => this.child.once('exit', resolve));
		this.child.stdin.end('exit\n');
		await exited;
	}
}
