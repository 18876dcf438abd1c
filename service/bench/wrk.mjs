// wrk (C, Debian package `wrk`) as the load generator of the service's most-throughput runs: the
// requests are built and signed before the run and written to a file, so during the run the shared
// cores only carry wrk's sending (~18 µs of CPU per request here) instead of a Node load generator's
// request building, HMAC and HTTP client (autocannon: ~81 µs, service/bench/README). Each request is
// sent once (wrk-presigned.lua), by one wrk thread (the script relies on it, see its request()).
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'wrk-presigned.lua');

/** Whether `wrk` is on the PATH. */
export function wrkInstalled() {
	return !spawnSync('wrk', ['--version']).error;
}

/** Writes `count` requests made by `make(i)` ({ signature, body }) to `file`, one line each. */
async function writePresigned(file, count, make) {
	const out = createWriteStream(file);
	for (let i = 0; i < count; i++) {
		const { signature, body } = make(i);
		if (!out.write(`${signature}\t${body}\n`)) await new Promise((resolve) => out.once('drain', resolve));
	}
	await new Promise((resolve, reject) => out.end((error) => (error ? reject(error) : resolve())));
}

/**
 * Starts wrk POSTing the requests of `file` to `url` over `connections` for at most `seconds`.
 * `result` resolves with wrk's figures when it ends; `stop()` ends it early (SIGINT: wrk still
 * reports). Figures: completed (answers), status_errors (≥ 400), socket_errors, timeouts,
 * duration_us, sent, exhausted (every prepared request was sent), p50/p90/p99/max_us.
 */
function startWrk({ url, connections, file, seconds }) {
	const target = new URL(url);
	const child = spawn(
		'wrk',
		[
			'--threads',
			'1',
			'--connections',
			String(connections),
			'--duration',
			`${seconds}s`,
			'--timeout',
			'30s',
			'--script',
			SCRIPT,
			`${target.origin}/`,
			'--',
			file,
			target.pathname,
		],
		{ stdio: ['ignore', 'pipe', 'inherit'] },
	);
	let out = '';
	child.stdout.on('data', (chunk) => (out += chunk));
	const result = new Promise((resolve, reject) => {
		child.on('error', reject);
		child.on('close', (code) =>
			code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop())) : reject(new Error(`wrk exited ${code}: ${out}`)),
		);
	});
	return {
		result,
		stop() {
			child.kill('SIGINT');
			return result;
		},
	};
}

/**
 * Writes `count` requests made by `make(i)` to a temporary file (not timed), then starts wrk on them
 * (startWrk above). Resolves with { started (performance.now() at wrk's start), result, stop() };
 * the file is removed once wrk has ended.
 */
export async function presignedWrk({ url, connections, seconds, count, make }) {
	const dir = await mkdtemp(join(tmpdir(), 'bench-wrk-'));
	try {
		const file = join(dir, 'requests.tsv');
		await writePresigned(file, count, make);
		const started = performance.now();
		const run = startWrk({ url, connections, file, seconds });
		const result = run.result.finally(() => rm(dir, { recursive: true, force: true }));
		return { started, result, stop: () => (run.stop(), result) };
	} catch (error) {
		await rm(dir, { recursive: true, force: true });
		throw error;
	}
}
