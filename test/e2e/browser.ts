// Headless Chromium (Debian package `chromium`, or CHROMIUM_PATH) driven through the Chrome DevTools
// Protocol over the page's WebSocket (Node's global WebSocket): no browser automation package.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IDataObject } from 'n8n-workflow';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? 'chromium';

/** A minimal CDP client for one page. */
export class Page {
	private nextId = 1;
	private pending = new Map<number, { resolve: (v: IDataObject) => void; reject: (e: Error) => void }>();
	private constructor(private readonly socket: WebSocket) {
		socket.addEventListener('message', (event) => {
			const message = JSON.parse(String(event.data)) as {
				id?: number;
				result?: IDataObject;
				error?: { message: string };
			};
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
		const { result, exceptionDetails } = (await this.send('Runtime.evaluate', {
			expression,
			returnByValue: true,
			awaitPromise: true,
		})) as {
			result: { value: T };
			exceptionDetails?: unknown;
		};
		if (exceptionDetails) throw new Error(`evaluation failed: ${JSON.stringify(exceptionDetails)}`);
		return result.value;
	}
	async screenshot(): Promise<Buffer> {
		const shot = (await this.send('Page.captureScreenshot', { format: 'png' })) as { data: string };
		return Buffer.from(shot.data, 'base64');
	}
	close(): void {
		this.socket.close();
	}
}

export interface Browser {
	/** The first page (tab) of the browser. */
	page(): Promise<Page>;
	stop(): Promise<void>;
}

/** Starts headless Chromium with a throw-away profile; fails with how to install it when it is missing. */
export async function startChromium(windowSize = '1600,1000'): Promise<Browser> {
	const probe = spawnSync(CHROMIUM, ['--version'], { encoding: 'utf8' });
	if (probe.status !== 0)
		throw new Error(
			`Headless Chromium is needed for this test: apt-get install -y chromium (or set CHROMIUM_PATH). ${probe.error?.message ?? probe.stderr}`,
		);
	const profile = mkdtempSync(join(tmpdir(), 'tp-chromium-'));
	const browser: ChildProcess = spawn(
		CHROMIUM,
		[
			'--headless=new',
			'--no-sandbox',
			'--disable-gpu',
			'--disable-dev-shm-usage',
			'--no-first-run',
			'--remote-debugging-port=0',
			`--user-data-dir=${profile}`,
			`--window-size=${windowSize}`,
			'about:blank',
		],
		{ stdio: ['ignore', 'ignore', 'pipe'] },
	);
	const port = await new Promise<number>((resolve, reject) => {
		let output = '';
		browser.stderr!.on('data', (chunk: Buffer) => {
			output += chunk.toString();
			const match = /DevTools listening on ws:\/\/[^:]+:(\d+)\//.exec(output);
			if (match) resolve(Number(match[1]));
		});
		browser.once('exit', (code) => reject(new Error(`chromium exited (${code}): ${output}`)));
	});
	return {
		async page() {
			const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as Array<{
				type: string;
				webSocketDebuggerUrl: string;
			}>;
			return await Page.connect(targets.find((t) => t.type === 'page')!.webSocketDebuggerUrl);
		},
		async stop() {
			// Chromium writes its profile while it shuts down: remove the folder only after it has exited.
			if (browser.exitCode === null && browser.signalCode === null) {
				const exited = new Promise((resolve) => browser.once('exit', resolve));
				browser.kill('SIGTERM');
				const timer = setTimeout(() => browser.kill('SIGKILL'), 10_000);
				await exited;
				clearTimeout(timer);
			}
			rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
		},
	};
}

/** Polls `probe` (every 500 ms) until it returns a value; a probe that throws is retried, its last error reported. */
export async function waitFor<T>(
	probe: () => Promise<T | undefined> | T | undefined,
	what: string,
	timeoutMs = 120_000,
): Promise<T> {
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

/**
 * A PNG of `url` as headless Chromium renders it at `windowSize`, once the page has loaded (the
 * browser is started for this one picture and stopped again).
 */
export async function screenshotOf(url: string, windowSize = '1000,1000'): Promise<Buffer> {
	const browser = await startChromium(windowSize);
	try {
		const page = await browser.page();
		await page.send('Page.navigate', { url });
		const origin = new URL(url).origin;
		await waitFor(
			async () =>
				(await page.evaluate<boolean>(
					`location.origin === ${JSON.stringify(origin)} && document.readyState === 'complete'`,
				)) || undefined,
			`${url} to load in Chromium`,
			60_000,
		);
		const png = await page.screenshot();
		page.close();
		return png;
	} finally {
		await browser.stop();
	}
}
