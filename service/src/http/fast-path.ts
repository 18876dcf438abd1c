// Routes answered on Node's own request and response, ahead of express. Express's per-request work
// (its request and response prototypes, the router, body-parser, res.json) cost about half of the
// service's CPU on a small signed POST (bench:ingest: 1,434 and 1,567 webhooks/s through express,
// 2,934 and 2,974 without, same session), so the busiest route, Meta's webhook POST, is one. Same
// answers as express gives: the error shape and mapping of errors.ts, the request id, metrics and
// access log of observe.ts, the body limit. A request the route does not take goes on to express.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics';
import { errorAnswer, errorBody, logErrorAnswer, reasonPhrase } from './errors';
import { recordRequest, requestId } from './observe';

/** Answers the request and returns true, or returns false (express answers it). */
export type FastPath = (req: IncomingMessage, res: ServerResponse) => boolean;

export interface FastRoute {
	method: string;
	/** The route as express would write it (also its metrics label); matched like express does. */
	path: string;
	/** Further conditions (e.g. no content encoding); express answers the requests this refuses. */
	takes?: (req: IncomingMessage) => boolean;
	bodyLimitBytes: number;
	/** Answers a request whose body was read; throws what `errorAnswer` maps. */
	handle(body: Buffer, req: IncomingMessage): Promise<{ status: number; body: unknown }>;
}

export interface FastPathDeps {
	logger: Logger;
	metrics: Metrics;
	/** Express's `trust proxy` hop count (TRUST_PROXY_HOPS): which address the access log shows. */
	trustProxyHops: number;
}

/** Express's path matching: case-insensitive, one optional trailing slash, query string ignored. */
export function samePath(url: string | undefined, path: string): boolean {
	if (!url) return false;
	const end = url.indexOf('?');
	let pathname = end < 0 ? url : url.slice(0, end);
	if (pathname.length > path.length && pathname.endsWith('/')) pathname = pathname.slice(0, -1);
	return pathname.length === path.length && pathname.toLowerCase() === path;
}

/** The client's address as express's `trust proxy` = `hops` gives it (req.ip). */
export function clientIp(req: IncomingMessage, hops: number): string | undefined {
	const socket = req.socket.remoteAddress;
	if (hops === 0 || socket === undefined) return socket;
	const header = req.headers['x-forwarded-for'];
	const forwarded = (typeof header === 'string' ? header.split(',') : [])
		.map((a) => a.trim())
		.filter(Boolean)
		.reverse();
	const chain = [socket, ...forwarded];
	return chain[Math.min(hops, chain.length - 1)];
}

/** The body as one Buffer; rejects like body-parser (entity.too.large, request.aborted). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const tooLarge = () => Object.assign(new Error('request entity too large'), { type: 'entity.too.large', limit });
		if (Number(req.headers['content-length']) > limit) return reject(tooLarge());
		const chunks: Buffer[] = [];
		let size = 0;
		let settled = false;
		const fail = (error: Error) => {
			if (settled) return;
			settled = true;
			reject(error);
		};
		req.on('data', (chunk: Buffer) => {
			if (settled) return;
			size += chunk.length;
			if (size > limit) return fail(tooLarge());
			chunks.push(chunk);
		});
		req.on('end', () => {
			if (settled) return;
			settled = true;
			resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
		});
		const aborted = () => fail(Object.assign(new Error('request aborted'), { type: 'request.aborted' }));
		req.on('error', aborted);
		req.on('close', () => {
			if (!req.complete) aborted();
		});
	});
}

function sendJson(
	res: ServerResponse,
	status: number,
	body: unknown,
	headers: Record<string, string> = {},
	statusMessage?: string,
): void {
	if (res.headersSent || res.destroyed) return;
	const text = JSON.stringify(body);
	const all = {
		'content-type': 'application/json; charset=utf-8',
		'content-length': String(Buffer.byteLength(text)),
		...headers,
	};
	if (statusMessage === undefined) res.writeHead(status, all);
	else res.writeHead(status, statusMessage, all);
	res.end(text);
}

export function fastPath(route: FastRoute, deps: FastPathDeps): FastPath {
	return (req, res) => {
		if (req.method !== route.method || !samePath(req.url, route.path) || (route.takes && !route.takes(req)))
			return false;
		const started = process.hrtime.bigint();
		const id = requestId(req.headers['x-request-id']);
		let child: Logger | undefined;
		const log = () => (child ??= deps.logger.child({ req_id: id }));
		res.setHeader('x-request-id', id);
		res.on('finish', () =>
			recordRequest(deps.logger, deps.metrics, {
				route: route.path,
				method: route.method,
				status: res.statusCode,
				started,
				ip: () => clientIp(req, deps.trustProxyHops),
				log,
			}),
		);
		readBody(req, route.bodyLimitBytes)
			.then((body) => route.handle(body, req))
			.then(
				(answer) => sendJson(res, answer.status, answer.body),
				(error: unknown) => {
					const answer = errorAnswer(error);
					logErrorAnswer(log(), answer, error);
					sendJson(
						res,
						answer.status,
						errorBody(answer.code, answer.message, answer.details),
						answer.headers,
						reasonPhrase(answer.message),
					);
				},
			)
			.catch((error: unknown) => log().error({ err: error }, 'answering the request failed'));
		return true;
	};
}

/** The first of `paths` that takes the request. */
export function firstFastPath(paths: readonly FastPath[]): FastPath {
	return (req, res) => paths.some((path) => path(req, res));
}
