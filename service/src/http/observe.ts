// Request ids, one access-log line per request (no bodies, no secrets), and request metrics: for the
// express routes (`observe`) and for the routes answered on Node's own request and response
// (fast-path.ts), through the same two functions.
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics';

declare module 'express-serve-static-core' {
	interface Request {
		id: string;
		log: Logger;
	}
}

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's `x-request-id` when it is a safe token, else a new one. */
export function requestId(incoming: string | string[] | undefined): string {
	return typeof incoming === 'string' && SAFE_ID.test(incoming) ? incoming : randomUUID();
}

export interface FinishedRequest {
	route: string;
	method: string;
	status: number;
	started: bigint;
	/** The client's address (only read when the line is logged). */
	ip: () => string | undefined;
	/** The request's logger (made on demand). */
	log: () => Logger;
}

/** Counts and times a finished request and writes its access-log line (error level for a 5xx). */
export function recordRequest(logger: Logger, metrics: Metrics, done: FinishedRequest): void {
	const seconds = Number(process.hrtime.bigint() - done.started) / 1e9;
	metrics.httpRequests.inc({ route: done.route, method: done.method, status: String(done.status) });
	metrics.httpDuration.observe({ route: done.route, method: done.method }, seconds);
	const level = done.status >= 500 ? 'error' : 'info';
	if (logger.isLevelEnabled(level))
		done.log()[level](
			{
				method: done.method,
				route: done.route,
				status: done.status,
				ms: Math.round(seconds * 10000) / 10,
				ip: done.ip(),
			},
			'request',
		);
}

export function observe(logger: Logger, metrics: Metrics): RequestHandler {
	return (req, res, next) => {
		const id = requestId(req.headers['x-request-id']);
		req.id = id;
		// The child logger is made only when something logs (most requests log one line at most).
		let child: Logger | undefined;
		Object.defineProperty(req, 'log', { configurable: true, get: () => (child ??= logger.child({ req_id: id })) });
		res.setHeader('x-request-id', req.id);
		const started = process.hrtime.bigint();
		res.on('finish', () => {
			recordRequest(logger, metrics, {
				route: req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched',
				method: req.method,
				status: res.statusCode,
				started,
				ip: () => req.ip,
				log: () => req.log,
			});
		});
		next();
	};
}
