// `npm run bench:sandbox`: how fast the Meta sandbox starts (spawn → its page answers) and how fast
// its page loads (the HTML, script, stylesheet and the state it polls, fetched as a browser would).
// Prints one JSON line last. A benchmark, not a test: no targets are asserted here.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');

const freePort = () =>
	new Promise((resolve) => {
		const server = createServer();
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address();
			server.close(() => resolve(port));
		});
	});

const port = await freePort();
const url = `http://127.0.0.1:${port}`;
const started = performance.now();
const child = spawn(process.execPath, [join(ROOT, 'sandbox', 'dist', 'main.js')], {
	env: { ...process.env, SANDBOX_PORT: String(port) },
	stdio: 'ignore',
});
let startMs;
for (;;) {
	try {
		if ((await fetch(`${url}/sandbox/api/state`)).ok) {
			startMs = performance.now() - started;
			break;
		}
	} catch {
		// not up yet
	}
	if (performance.now() - started > 30_000) throw new Error('the sandbox did not start in 30 s');
	await new Promise((resolve) => setTimeout(resolve, 5));
}
const loads = [];
for (let i = 0; i < 20; i++) {
	const t = performance.now();
	await (await fetch(`${url}/`)).text();
	await Promise.all(
		['/sandbox/page.js', '/sandbox/page.css', '/sandbox/api/state'].map(async (path) =>
			(await fetch(`${url}${path}`)).text(),
		),
	);
	loads.push(performance.now() - t);
}
child.kill('SIGTERM');
loads.sort((a, b) => a - b);
const round = (x) => Math.round(x * 10) / 10;
console.log(
	JSON.stringify({
		bench: 'sandbox',
		start_ms: round(startMs),
		page_load_ms_p50: round(loads[10]),
		page_load_ms_max: round(loads[19]),
	}),
);
