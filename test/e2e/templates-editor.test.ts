// Template 1 on the canvas of the real n8n editor, in headless Chromium (Debian package `chromium`),
// driven through the Chrome DevTools Protocol: our nodes render with their own icons (not n8n's
// "unknown node" placeholder). The screenshot is kept in .artifacts/ (gitignored), not committed.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IDataObject } from 'n8n-workflow';
import { startN8n, type N8nInstance } from './harness';

jest.setTimeout(600_000);

const CHROMIUM = process.env.CHROMIUM_PATH ?? 'chromium';
const ROOT = join(__dirname, '..', '..');
const TEMPLATE = join(ROOT, 'workflows', 'instagram-post-to-whatsapp-broadcast.json');
const ARTIFACTS = join(ROOT, '.artifacts');

let n8n: N8nInstance;
let browser: ChildProcess | undefined;
let profile: string;

/** A minimal CDP client over the page's WebSocket (Node's global WebSocket). */
class Page {
	private nextId = 1;
	private pending = new Map<number, { resolve: (v: IDataObject) => void; reject: (e: Error) => void }>();
	private constructor(private readonly socket: WebSocket) {
		socket.addEventListener('message', (event) => {
			const message = JSON.parse(String(event.data)) as { id?: number; result?: IDataObject; error?: { message: string } };
			const waiter = message.id === undefined ? undefined : this.pending.get(message.id);
			if (!waiter) return;
			this.pending.delete(message.id!);
			if (message.error) waiter.reject(new Error(message.error.message));
			else waiter.resolve(message.result ?? {});
		});
	}
	static async connect(url: string): Promise<Page> {
		const socket = new WebSocket(url);
		await new Promise((resolve, reject) => {
			socket.addEventListener('open', resolve, { once: true });
			socket.addEventListener('error', reject, { once: true });
		});
		return new Page(socket);
	}
	send(method: string, params: IDataObject = {}): Promise<IDataObject> {
		const id = this.nextId++;
		this.socket.send(JSON.stringify({ id, method, params }));
		return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
	}
	async evaluate<T>(expression: string): Promise<T> {
		const { result, exceptionDetails } = (await this.send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true })) as {
			result: { value: T };
			exceptionDetails?: unknown;
		};
		if (exceptionDetails) throw new Error(`evaluation failed: ${JSON.stringify(exceptionDetails)}`);
		return result.value;
	}
	close(): void {
		this.socket.close();
	}
}

async function startChromium(): Promise<number> {
	profile = mkdtempSync(join(tmpdir(), 'tp-chromium-'));
	browser = spawn(
		CHROMIUM,
		['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--remote-debugging-port=0', `--user-data-dir=${profile}`, '--window-size=1600,1000', 'about:blank'],
		{ stdio: ['ignore', 'ignore', 'pipe'] },
	);
	return await new Promise<number>((resolve, reject) => {
		let output = '';
		browser!.stderr!.on('data', (chunk: Buffer) => {
			output += chunk.toString();
			const match = /DevTools listening on ws:\/\/[^:]+:(\d+)\//.exec(output);
			if (match) resolve(Number(match[1]));
		});
		browser!.once('exit', (code) => reject(new Error(`chromium exited (${code}): ${output}`)));
	});
}

beforeAll(async () => {
	const probe = spawnSync(CHROMIUM, ['--version'], { encoding: 'utf8' });
	if (probe.status !== 0) throw new Error(`Headless Chromium is needed for this test: apt-get install -y chromium (or set CHROMIUM_PATH). ${probe.error?.message ?? probe.stderr}`);
	n8n = await startN8n();
});

afterAll(async () => {
	// Chromium writes its profile while it shuts down: remove the folder only after it has exited.
	if (browser && browser.exitCode === null && browser.signalCode === null) {
		const exited = new Promise((resolve) => browser!.once('exit', resolve));
		browser.kill('SIGTERM');
		const timer = setTimeout(() => browser?.kill('SIGKILL'), 10_000);
		await exited;
		clearTimeout(timer);
	}
	if (profile) rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
	await n8n?.stop();
});

describe('template 1 in the n8n editor (headless Chromium)', () => {
	it('renders our nodes on the canvas with their own icons', async () => {
		const template = JSON.parse(readFileSync(TEMPLATE, 'utf8')) as { nodes: IDataObject[] } & IDataObject;
		const ours = template.nodes.filter((node) => String(node.type).startsWith('n8n-nodes-tiltedprompts.')).map((node) => String(node.name));
		const id = await n8n.importWorkflow({ ...template, id: randomBytes(8).toString('hex') });

		const port = await startChromium();
		const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as Array<{ type: string; webSocketDebuggerUrl: string }>;
		const page = await Page.connect(targets.find((t) => t.type === 'page')!.webSocketDebuggerUrl);
		try {
			await page.send('Page.enable');
			await page.send('Network.enable');
			const name = n8n.cookie.slice(0, n8n.cookie.indexOf('='));
			await page.send('Network.setCookie', { name, value: n8n.cookie.slice(name.length + 1), url: n8n.url });
			await page.send('Page.navigate', { url: `${n8n.url}/workflow/${id}` });

			const rendered = await waitFor(async () => {
				const state = await page.evaluate<{ nodes: string[]; icons: Array<{ src: string; ok: boolean }> }>(`(() => {
					const nodes = [...document.querySelectorAll('[data-test-id="canvas-node"]')].map((el) => el.getAttribute('data-node-name') || el.textContent || '');
					const icons = [...document.querySelectorAll('img')].filter((img) => img.src.includes('n8n-nodes-tiltedprompts')).map((img) => ({ src: img.src, ok: img.complete && img.naturalWidth > 0 }));
					return { nodes, icons };
				})()`);
				const allThere = ours.every((node) => state.nodes.some((text) => text.includes(node)));
				return allThere && state.icons.length >= ours.length && state.icons.every((icon) => icon.ok) ? state : undefined;
			}, 'our nodes and their icons on the canvas');

			expect(rendered.icons.some((icon) => icon.src.includes('tiltedprompts.svg'))).toBe(true);
			expect(rendered.icons.some((icon) => icon.src.includes('whatsapp.svg'))).toBe(true);
			expect(rendered.icons.some((icon) => icon.src.includes('instagram.svg'))).toBe(true);

			const shot = (await page.send('Page.captureScreenshot', { format: 'png' })) as { data: string };
			mkdirSync(ARTIFACTS, { recursive: true });
			writeFileSync(join(ARTIFACTS, 'template-1-canvas.png'), Buffer.from(shot.data, 'base64'));
			expect(Buffer.from(shot.data, 'base64').length).toBeGreaterThan(10_000);
		} finally {
			page.close();
		}
	});
});

async function waitFor<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 120_000): Promise<T> {
	const until = Date.now() + timeoutMs;
	let last: unknown;
	for (;;) {
		try {
			const value = await probe();
			if (value !== undefined) return value;
		} catch (error) {
			last = error;
		}
		if (Date.now() > until) throw new Error(`timed out waiting for ${what} ${last ? String(last) : ''}`);
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
}
