/**
 * The sandbox's own web surface (outside the Graph API): the page, its pictures, and the actions a
 * person takes on it (reply as a customer, publish a post, comment as a follower).
 */
import { existsSync, readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { StandInRequest } from './core';
import type { InboundContent } from './meta-webhooks';
import { SandboxInputError } from './world';

export interface SiteActions {
	reply(customerId: string, content: InboundContent): Promise<unknown>;
	setPreference(customerId: string, value: 'stop' | 'resume'): Promise<void>;
	publishPost(caption: string): Promise<{ id: string }>;
	comment(mediaId: string, username: string, text: string): Promise<{ id: string }>;
}

const PAGE_DIR = existsSync(join(__dirname, 'page')) ? join(__dirname, 'page') : join(__dirname, '..', 'page');
const STATIC: Record<string, [string, string]> = {
	'/': ['index.html', 'text/html; charset=utf-8'],
	'/sandbox/page.js': ['page.js', 'text/javascript; charset=utf-8'],
	'/sandbox/page.css': ['page.css', 'text/css; charset=utf-8'],
};

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json; charset=utf-8'): true {
	const data = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
	res.writeHead(status, {
		'content-type': type,
		'cache-control': 'no-store',
		'content-length': String(Buffer.byteLength(data)),
	});
	res.end(data);
	return true;
}

/** A post picture drawn by the sandbox (no internet needed): a colour and the end of the post's id. */
function postPicture(name: string): string {
	const label = name.replace(/[^A-Za-z0-9]/g, '').slice(-3);
	const hue = [...name].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 360, 7);
	return `<svg xmlns="http://www.w3.org/2000/svg" width="480" height="480" viewBox="0 0 480 480"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl(${hue},70%,60%)"/><stop offset="1" stop-color="hsl(${(hue + 60) % 360},70%,40%)"/></linearGradient></defs><rect width="480" height="480" fill="url(#g)"/><text x="240" y="260" font-family="sans-serif" font-size="64" fill="#fff" text-anchor="middle">☕ ${label}</text></svg>`;
}

const field = (body: unknown, name: string): string => {
	const value = (body as Record<string, unknown> | undefined)?.[name];
	if (typeof value !== 'string' || !value.trim())
		throw new SandboxInputError(`"${name}" is required (a non-empty string)`);
	if (value.length > 2000) throw new SandboxInputError(`"${name}" is longer than 2000 characters`);
	return value;
};

/** The action a POST under /sandbox/api/ asks for, or undefined (404). */
async function act(actions: SiteActions, parts: string[], body: unknown): Promise<unknown> {
	if (parts[0] === 'customers' && parts.length === 3 && parts[2] === 'messages') {
		const b = (body ?? {}) as Record<string, unknown>;
		const content: InboundContent = b.button
			? {
					type: 'button',
					text: field(b.button, 'text'),
					payload: field(b.button, 'payload'),
					context: typeof b.context === 'string' ? b.context : undefined,
				}
			: { type: 'text', text: field(b, 'text') };
		return await actions.reply(parts[1], content);
	}
	if (parts[0] === 'customers' && parts.length === 3 && parts[2] === 'preferences') {
		const value = field(body, 'value');
		if (value !== 'stop' && value !== 'resume') throw new SandboxInputError('"value" must be "stop" or "resume"');
		await actions.setPreference(parts[1], value);
		return { ok: true };
	}
	if (parts[0] === 'instagram' && parts[1] === 'posts' && parts.length === 2)
		return await actions.publishPost(field(body, 'caption'));
	if (parts[0] === 'instagram' && parts[1] === 'posts' && parts[3] === 'comments' && parts.length === 4)
		return await actions.comment(parts[2], field(body, 'username'), field(body, 'text'));
	return undefined;
}

/** The handler the Graph API stand-in calls first (its `site` option). */
export function createSite(options: { state: () => unknown; sandbox: () => SiteActions }) {
	return async (req: StandInRequest, res: ServerResponse): Promise<boolean> => {
		const file = STATIC[req.path];
		if (req.method === 'GET' && file) return send(res, 200, readFileSync(join(PAGE_DIR, file[0])), file[1]);
		const picture = /^\/sandbox\/media\/([\w-]+)\.svg$/.exec(req.path);
		if (req.method === 'GET' && picture) return send(res, 200, postPicture(picture[1]), 'image/svg+xml');
		if (!req.path.startsWith('/sandbox/api/')) return false;
		const parts = req.path.split('/').filter(Boolean).slice(2);
		if (req.method === 'GET' && parts.length === 1 && parts[0] === 'state') return send(res, 200, options.state());
		if (req.method !== 'POST') return send(res, 405, { error: `${req.method} ${req.path} is not supported` });
		try {
			const result = await act(options.sandbox(), parts, req.body);
			return result === undefined
				? send(res, 404, { error: `no sandbox action ${req.method} ${req.path}` })
				: send(res, 200, result);
		} catch (error) {
			if (error instanceof SandboxInputError) return send(res, 400, { error: error.message });
			if (error instanceof Error && /no media/.test(error.message)) return send(res, 404, { error: error.message });
			throw error;
		}
	};
}
