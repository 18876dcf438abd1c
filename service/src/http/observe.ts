// Request ids, one access-log line per request (no bodies, no secrets), and request metrics.
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

export function observe(logger: Logger, metrics: Metrics): RequestHandler {
	return (req, res, next) => {
		const incoming = req.headers['x-request-id'];
		const id = typeof incoming === 'string' && SAFE_ID.test(incoming) ? incoming : randomUUID();
		req.id = id;
		// The child logger is made only when something logs (most requests log one line at most).
		let child: Logger | undefined;
		Object.defineProperty(req, 'log', { configurable: true, get: () => (child ??= logger.child({ req_id: id })) });
		res.setHeader('x-request-id', req.id);
		const started = process.hrtime.bigint();
		res.on('finish', () => {
			const seconds = Number(process.hrtime.bigint() - started) / 1e9;
			const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
			metrics.httpRequests.inc({ route, method: req.method, status: String(res.statusCode) });
			metrics.httpDuration.observe({ route, method: req.method }, seconds);
			const level = res.statusCode >= 500 ? 'error' : 'info';
			if (logger.isLevelEnabled(level))
				req.log[level](
					{ method: req.method, route, status: res.statusCode, ms: Math.round(seconds * 10000) / 10, ip: req.ip },
					'request',
				);
		});
		next();
	};
}
