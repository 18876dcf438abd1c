// Template 1 on the canvas of the real n8n editor, in headless Chromium (Debian package `chromium`),
// driven through the Chrome DevTools Protocol: our nodes render with their own icons (not n8n's
// "unknown node" placeholder). The screenshot is kept in .artifacts/ (gitignored), not committed.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IDataObject } from 'n8n-workflow';
import { startChromium, waitFor, type Browser } from './browser';
import { startN8n, type N8nInstance } from './harness';

jest.setTimeout(600_000);

const ROOT = join(__dirname, '..', '..');
const TEMPLATE = join(ROOT, 'workflows', 'instagram-post-to-whatsapp-broadcast.json');
const ARTIFACTS = join(ROOT, '.artifacts');

let n8n: N8nInstance;
let browser: Browser | undefined;

beforeAll(async () => {
	n8n = await startN8n();
});

afterAll(async () => {
	await browser?.stop();
	await n8n?.stop();
});

describe('template 1 in the n8n editor (headless Chromium)', () => {
	it('renders our nodes on the canvas with their own icons', async () => {
		const template = JSON.parse(readFileSync(TEMPLATE, 'utf8')) as { nodes: IDataObject[] } & IDataObject;
		const ours = template.nodes
			.filter((node) => String(node.type).startsWith('n8n-nodes-tiltedprompts.'))
			.map((node) => String(node.name));
		const id = await n8n.importWorkflow({ ...template, id: randomBytes(8).toString('hex') });

		browser = await startChromium();
		const page = await browser.page();
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
				return allThere && state.icons.length >= ours.length && state.icons.every((icon) => icon.ok)
					? state
					: undefined;
			}, 'our nodes and their icons on the canvas');

			expect(rendered.icons.some((icon) => icon.src.includes('tiltedprompts.svg'))).toBe(true);
			expect(rendered.icons.some((icon) => icon.src.includes('whatsapp.svg'))).toBe(true);
			expect(rendered.icons.some((icon) => icon.src.includes('instagram.svg'))).toBe(true);

			const shot = await page.screenshot();
			mkdirSync(ARTIFACTS, { recursive: true });
			writeFileSync(join(ARTIFACTS, 'template-1-canvas.png'), shot);
			expect(shot.length).toBeGreaterThan(10_000);
		} finally {
			page.close();
		}
	});
});
