/**
 * Graph API stand-in: a loopback HTTP(S) server faithful to Meta's Graph API shapes, for tests and
 * benchmarks. Products plug in as modules (WhatsApp: ./whatsapp.ts, Instagram: ./instagram.ts).
 *
 * ## Use
 * ```ts
 * import { startGraphStandIn } from '../sandbox';            // index.ts re-exports core + modules
 * // Route names are "<product>.<what>" (e.g. "whatsapp.messages"); the prefix picks the error shape.
 * import { whatsapp } from '../sandbox/whatsapp';
 * const graph = await startGraphStandIn({ latencyMs: 100, modules: [whatsapp({ mpsLimit: 80 })] });
 * graph.url;               // 'http://127.0.0.1:PORT' — put it in the credential's base URL
 * graph.requests;          // request log: { method, path, query, headers, body, status, response, at, route, validationErrors }
 * graph.inject({ match: { route: 'whatsapp.messages' }, error: { code: 131047 }, times: 2 }); // failure injection
 * graph.inject({ match: { route: 'whatsapp.messages' }, drop: true });  // network error (connection cut)
 * graph.expireToken('TOKEN');  // later calls with it get 190 (OAuthException, subcode 463, HTTP 401)
 * graph.state.whatsapp;    // module state (e.g. sent messages), see the module
 * await graph.close();
 * ```
 * ## Options (`StandInOptions`)
 * latencyMs (number or {min,max}, applied before answering; mutable via graph.options), host, port,
 * tls {key, cert} (HTTPS, e.g. on 443 for n8n's built-in node), validTokens (if set, other tokens get 190),
 * expiredTokens, modules.
 *
 * ## Writing a module (`StandInModule`)
 * ```ts
 * export function instagram(opts = {}): StandInModule {
 *   return { name: 'instagram', setup(api) {
 *     api.state.instagram = { media: [] };
 *     api.route('GET', '/:version/:igUserId/media', (ctx) => ctx.paginate(api.state.instagram.media), { name: 'instagram.media' });
 *   } };
 * }
 * ```
 * A handler gets a `RouteContext` (params, query, body, token, request log entry, helpers `error()`
 * and `paginate()`) and returns `{ status?, body?, headers?, raw? }`. `graphError()` builds Meta's
 * error shape. Route patterns use `:name` segments and match in registration order; the first module
 * to register a pattern wins. Unmatched requests get Meta's "Unsupported get request" (code 100).
 */
import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface StandInRequest {
	seq: number;
	at: number;
	method: string;
	path: string;
	query: Record<string, string>;
	headers: Record<string, string | string[] | undefined>;
	/** Parsed JSON (or urlencoded/multipart fields) when possible, else undefined. */
	body: unknown;
	rawBody: Buffer;
	/** When the answer was written (after the configured latency). */
	respondedAt?: number;
	token?: string;
	route?: string;
	status?: number;
	response?: unknown;
	/** Problems found by OpenAPI validation of this request ([] = valid; undefined = not validated). */
	validationErrors?: string[];
	/** Multipart parts, when the request was multipart/form-data. */
	parts?: MultipartPart[];
}

export interface MultipartPart {
	name: string;
	filename?: string;
	contentType?: string;
	data: Buffer;
}

export interface RouteResult {
	status?: number;
	body?: unknown;
	headers?: Record<string, string>;
	/** Raw bytes (media download), sent instead of JSON. */
	raw?: Buffer;
}

export interface GraphErrorSpec {
	code: number;
	message?: string;
	type?: string;
	subcode?: number;
	details?: string;
	status?: number;
	headers?: Record<string, string>;
	userTitle?: string;
	userMessage?: string;
}

export interface RouteContext {
	params: Record<string, string>;
	query: Record<string, string>;
	body: unknown;
	token?: string;
	request: StandInRequest;
	standIn: GraphStandIn;
	error(spec: GraphErrorSpec): RouteResult;
	/** Cursor pagination the Graph way (`limit`, `after`, `before` → `data`, `paging.cursors`, `paging.next`). */
	paginate<T>(items: T[], defaultLimit?: number): RouteResult;
}

export type RouteHandler = (ctx: RouteContext) => RouteResult | Promise<RouteResult>;

export interface ModuleApi {
	state: Record<string, unknown>;
	options: StandInOptions;
	route(method: string, pattern: string, handler: RouteHandler, opts?: { name?: string }): void;
}

export interface StandInModule {
	name: string;
	setup(api: ModuleApi): void;
}

export interface FailureRule {
	match?: { method?: string; path?: RegExp | string; route?: string; test?: (req: StandInRequest) => boolean };
	/** How many matching requests fail (default 1; Infinity = all). */
	times?: number;
	/** Let this many matching requests pass first. */
	skip?: number;
	/** Fail each matching request with this probability (0..1) instead of counting. */
	probability?: number;
	/** Meta's error to answer with (ignored when `drop` is set). */
	error?: GraphErrorSpec;
	/** Cut the connection without an answer (a network error for the client). */
	drop?: boolean;
}

export interface StandInOptions {
	latencyMs?: number | { min: number; max: number };
	host?: string;
	port?: number;
	tls?: { key: string | Buffer; cert: string | Buffer };
	validTokens?: string[];
	expiredTokens?: string[];
	modules?: StandInModule[];
	/**
	 * Requests outside the Graph API (the sandbox's page and its own API): answered here when this
	 * returns true, without a token and without entering the request log.
	 */
	site?: (request: StandInRequest, res: ServerResponse) => boolean | Promise<boolean>;
}

export interface GraphStandIn {
	url: string;
	port: number;
	requests: StandInRequest[];
	state: Record<string, unknown>;
	options: StandInOptions;
	inject(rule: FailureRule): void;
	clearInjections(): void;
	expireToken(token: string): void;
	/** Requests whose OpenAPI validation failed. */
	invalidRequests(): StandInRequest[];
	/** Clears the request log (state stays). */
	clearLog(): void;
	close(): Promise<void>;
	server: Server;
}

const ERROR_TYPES: Record<number, string> = {
	190: 'OAuthException',
	0: 'OAuthException',
	100: 'OAuthException',
	10: 'OAuthException',
	200: 'OAuthException',
};

export function fbtraceId(): string {
	return randomBytes(8)
		.toString('base64')
		.replace(/[^A-Za-z0-9]/g, 'A')
		.slice(0, 11);
}

/** Meta's error response: `{error:{message,type,code,error_subcode,error_data:{messaging_product,details},fbtrace_id}}`. */
export function graphError(spec: GraphErrorSpec, product?: string): RouteResult {
	const error: Record<string, unknown> = {
		message: spec.message ?? defaultMessage(spec.code),
		type: spec.type ?? ERROR_TYPES[spec.code] ?? 'OAuthException',
		code: spec.code,
	};
	if (spec.subcode !== undefined) error.error_subcode = spec.subcode;
	if (spec.userTitle) error.error_user_title = spec.userTitle;
	if (spec.userMessage) error.error_user_msg = spec.userMessage;
	if (product === 'whatsapp') {
		error.error_data = { messaging_product: 'whatsapp', details: spec.details ?? defaultMessage(spec.code) };
	} else if (spec.details !== undefined) {
		error.error_data = { details: spec.details };
	}
	error.fbtrace_id = fbtraceId();
	return { status: spec.status ?? defaultStatus(spec.code), body: { error }, headers: spec.headers };
}

function defaultStatus(code: number): number {
	if (code === 190 || code === 0) return 401;
	if (code === 10 || code === 200 || code === 131005) return 403;
	if (code === 130429 || code === 80007 || code === 4 || code === 131056) return 429;
	if (code === 1 || code === 2 || code === 131000 || code === 131016) return 500;
	if (code === 131057) return 503;
	return 400;
}

function defaultMessage(code: number): string {
	const messages: Record<number, string> = {
		1: 'An unknown error occurred',
		2: 'Service temporarily unavailable',
		4: 'Application request limit reached',
		100: 'Invalid parameter',
		190: 'Error validating access token: Session has expired.',
		368: 'Temporarily blocked for policies violations',
		80007: 'Rate limit issues',
		130429: 'Rate limit hit',
		131026: 'Message Undeliverable.',
		131047: 'Re-engagement message',
		131048: 'Spam rate limit hit',
		131049: 'This message was not delivered to maintain healthy ecosystem engagement.',
		131056: '(Business Account, Consumer Account) pair rate limit hit',
		131057: 'Account in maintenance mode',
		132000: 'Number of parameters does not match the expected number of params',
		132001: 'Template name does not exist in the translation',
	};
	return messages[code] ?? `Error ${code}`;
}

interface Route {
	method: string;
	parts: string[];
	handler: RouteHandler;
	name: string;
}

function matchRoute(route: Route, method: string, segments: string[]): Record<string, string> | undefined {
	if (route.method !== method || route.parts.length !== segments.length) return undefined;
	const params: Record<string, string> = {};
	for (let i = 0; i < segments.length; i++) {
		const part = route.parts[i];
		if (part.startsWith(':')) params[part.slice(1)] = decodeURIComponent(segments[i]);
		else if (part !== segments[i]) return undefined;
	}
	return params;
}

export function parseMultipart(raw: Buffer, contentType: string): MultipartPart[] {
	const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
	if (!boundary) return [];
	const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
	const parts: MultipartPart[] = [];
	let start = raw.indexOf(delimiter);
	while (start >= 0) {
		const next = raw.indexOf(delimiter, start + delimiter.length);
		if (next < 0) break;
		const chunk = raw.subarray(start + delimiter.length + 2, next - 2); // skip CRLF after delimiter and before next
		const headerEnd = chunk.indexOf('\r\n\r\n');
		if (headerEnd >= 0) {
			const headers = chunk.subarray(0, headerEnd).toString('utf8');
			const name = /name="([^"]*)"/i.exec(headers)?.[1] ?? '';
			const filename = /filename="([^"]*)"/i.exec(headers)?.[1];
			const type = /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1];
			parts.push({ name, filename, contentType: type, data: chunk.subarray(headerEnd + 4) });
		}
		start = next;
	}
	return parts;
}

function parseBody(raw: Buffer, contentType: string | undefined): { body: unknown; parts?: MultipartPart[] } {
	if (raw.length === 0) return { body: undefined };
	const type = (contentType ?? '').toLowerCase();
	if (type.includes('multipart/form-data')) {
		const parts = parseMultipart(raw, contentType ?? '');
		const fields: Record<string, string> = {};
		for (const part of parts) if (part.filename === undefined) fields[part.name] = part.data.toString('utf8');
		return { body: fields, parts };
	}
	if (type.includes('application/x-www-form-urlencoded')) {
		return { body: Object.fromEntries(new URLSearchParams(raw.toString('utf8'))) };
	}
	try {
		return { body: JSON.parse(raw.toString('utf8')) };
	} catch {
		return { body: undefined };
	}
}

export async function startGraphStandIn(options: StandInOptions = {}): Promise<GraphStandIn> {
	const routes: Route[] = [];
	const requests: StandInRequest[] = [];
	const state: Record<string, unknown> = {};
	const rules: Array<FailureRule & { seen: number; failed: number }> = [];
	const expired = new Set(options.expiredTokens ?? []);
	let seq = 0;

	const api: ModuleApi = {
		state,
		options,
		route(method, pattern, handler, opts) {
			routes.push({
				method: method.toUpperCase(),
				parts: pattern.split('/').filter(Boolean),
				handler,
				name: opts?.name ?? `${method} ${pattern}`,
			});
		},
	};
	for (const module of options.modules ?? []) module.setup(api);

	const delay = () => {
		const latency = options.latencyMs;
		const ms =
			typeof latency === 'number' ? latency : latency ? latency.min + Math.random() * (latency.max - latency.min) : 0;
		return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
	};

	const injected = (req: StandInRequest): FailureRule | undefined => {
		for (const rule of rules) {
			const m = rule.match ?? {};
			if (m.method && m.method.toUpperCase() !== req.method) continue;
			if (m.route && m.route !== req.route) continue;
			if (m.path && !(typeof m.path === 'string' ? req.path === m.path : m.path.test(req.path))) continue;
			if (m.test && !m.test(req)) continue;
			rule.seen++;
			if (rule.seen <= (rule.skip ?? 0)) continue;
			if (rule.probability !== undefined) {
				if (Math.random() < rule.probability) return rule;
				continue;
			}
			if (rule.failed < (rule.times ?? 1)) {
				rule.failed++;
				return rule;
			}
		}
		return undefined;
	};

	const handle = async (incoming: IncomingMessage, res: ServerResponse) => {
		const arrivedAt = Date.now();
		const chunks: Buffer[] = [];
		for await (const chunk of incoming) chunks.push(chunk as Buffer);
		const rawBody = Buffer.concat(chunks);
		const url = new URL(incoming.url ?? '/', 'http://standin');
		const method = (incoming.method ?? 'GET').toUpperCase();
		const auth = incoming.headers.authorization;
		const query = Object.fromEntries(url.searchParams);
		const token = auth?.startsWith('Bearer ') ? auth.slice(7) : (query.access_token ?? undefined);
		const { body, parts } = parseBody(rawBody, incoming.headers['content-type']);
		const req: StandInRequest = {
			seq: ++seq,
			at: arrivedAt,
			method,
			path: url.pathname,
			query,
			headers: incoming.headers,
			body,
			rawBody,
			token,
			parts,
		};
		if (options.site && (await options.site(req, res))) return;
		requests.push(req);

		const segments = url.pathname.split('/').filter(Boolean);
		let result: RouteResult;
		let found: { route: Route; params: Record<string, string> } | undefined;
		for (const route of routes) {
			const params = matchRoute(route, method, segments);
			if (params) {
				found = { route, params };
				break;
			}
		}
		req.route = found?.route.name;
		try {
			if (!token) {
				result = graphError({
					code: 190,
					message: 'An active access token must be used to query information about the current user.',
					subcode: undefined,
					status: 400,
				});
			} else if (expired.has(token) || (options.validTokens && !options.validTokens.includes(token))) {
				result = graphError({
					code: 190,
					subcode: 463,
					message: 'Error validating access token: Session has expired on Saturday, 01-Jan-22 00:00:00 PST.',
				});
			} else if (!found) {
				result = graphError({
					code: 100,
					subcode: 33,
					message: `Unsupported ${method.toLowerCase()} request. Object with ID '${segments[1] ?? ''}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
					type: 'GraphMethodException',
				});
			} else {
				const product = found.route.name.split('.')[0];
				const failure = injected(req);
				if (failure?.drop) {
					req.status = 0;
					req.response = '<connection dropped>';
					incoming.socket.destroy();
					return;
				}
				if (failure) {
					result = graphError(failure.error ?? { code: 1 }, product);
				} else {
					const ctx: RouteContext = {
						params: found.params,
						query,
						body,
						token,
						request: req,
						standIn,
						error: (spec) => graphError(spec, product),
						paginate: (items, defaultLimit = 25) =>
							paginate(items, query, `${standIn.url}${url.pathname}`, defaultLimit),
					};
					result = await found.route.handler(ctx);
				}
			}
		} catch (error) {
			result = {
				status: 500,
				body: {
					error: {
						message: `stand-in failure: ${(error as Error).message}`,
						type: 'OAuthException',
						code: 1,
						fbtrace_id: fbtraceId(),
					},
				},
			};
		}
		await delay();
		req.status = result.status ?? 200;
		req.respondedAt = Date.now();
		req.response = result.raw ? `<${result.raw.length} bytes>` : result.body;
		const headers: Record<string, string> = {
			'x-fb-trace-id': fbtraceId(),
			'facebook-api-version': segments[0] ?? 'v23.0',
			...(result.headers ?? {}),
		};
		if (result.raw) {
			res.writeHead(req.status, {
				'content-type': 'application/octet-stream',
				'content-length': String(result.raw.length),
				...headers,
			});
			res.end(result.raw);
		} else {
			const text = JSON.stringify(result.body ?? {});
			res.writeHead(req.status, {
				'content-type': 'application/json; charset=UTF-8',
				'content-length': String(Buffer.byteLength(text)),
				...headers,
			});
			res.end(text);
		}
	};

	const listener = (incoming: IncomingMessage, res: ServerResponse) => {
		handle(incoming, res).catch((error) => {
			res.statusCode = 500;
			res.end(String(error));
		});
	};
	const server: Server = options.tls
		? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, listener)
		: createHttpServer(listener);
	server.keepAliveTimeout = 60_000;
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
	});
	const port = (server.address() as AddressInfo).port;
	const host = options.host ?? '127.0.0.1';
	const standIn: GraphStandIn = {
		url: `${options.tls ? 'https' : 'http'}://${host}:${port}`,
		port,
		requests,
		state,
		options,
		server,
		inject(rule) {
			rules.push({ ...rule, seen: 0, failed: 0 });
		},
		clearInjections() {
			rules.length = 0;
		},
		expireToken(token) {
			expired.add(token);
		},
		invalidRequests: () => requests.filter((r) => r.validationErrors && r.validationErrors.length > 0),
		clearLog() {
			requests.length = 0;
		},
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections?.();
				server.close(() => resolve());
			}),
	};
	return standIn;
}

/** Graph cursor pagination. Cursors are opaque base64 offsets, as opaque to clients as Meta's. */
export function paginate<T>(
	items: T[],
	query: Record<string, string>,
	selfUrl: string,
	defaultLimit = 25,
): RouteResult {
	const limit = Math.max(1, Math.min(Number(query.limit) || defaultLimit, 1000));
	const decode = (cursor: string | undefined) =>
		cursor ? Number(Buffer.from(cursor, 'base64').toString('utf8').replace('offset:', '')) : undefined;
	const encode = (offset: number) => Buffer.from(`offset:${offset}`).toString('base64');
	let start = decode(query.after) !== undefined ? (decode(query.after) as number) + 1 : 0;
	if (query.before !== undefined && decode(query.before) !== undefined)
		start = Math.max(0, (decode(query.before) as number) - limit);
	const page = items.slice(start, start + limit);
	const body: Record<string, unknown> = { data: page };
	if (page.length > 0) {
		const paging: Record<string, unknown> = {
			cursors: { before: encode(start), after: encode(start + page.length - 1) },
		};
		if (start + page.length < items.length) {
			const next = new URL(selfUrl);
			for (const [k, v] of Object.entries(query)) if (k !== 'before') next.searchParams.set(k, v);
			next.searchParams.set('limit', String(limit));
			next.searchParams.set('after', encode(start + page.length - 1));
			paging.next = next.toString();
		}
		if (start > 0) {
			const previous = new URL(selfUrl);
			previous.searchParams.set('limit', String(limit));
			previous.searchParams.set('before', encode(start));
			paging.previous = previous.toString();
		}
		body.paging = paging;
	}
	return { status: 200, body };
}
