// Listening and graceful shutdown: `close()` stops accepting connections, lets in-flight requests
// finish (idle keep-alive connections are closed at once), and after `timeoutMs` closes the rest.
import { createServer, type Server } from 'node:http';
import type { Express } from 'express';
import type { FastPath } from './http/fast-path';

export interface RunningServer {
	server: Server;
	port: number;
	/** Resolves true when every request finished in time, false when the timeout cut some off. */
	close(timeoutMs: number): Promise<boolean>;
}

export function serve(app: Express, options: { port: number; host?: string }): Promise<RunningServer> {
	return new Promise((resolve, reject) => {
		// Routes on the fast path (app.locals.fastPath, http/fast-path.ts) are answered before express.
		const fast = (app.locals as { fastPath?: FastPath }).fastPath;
		const server = createServer(fast ? (req, res) => fast(req, res) || app(req, res) : app);
		server.listen(options.port, options.host ?? '0.0.0.0');
		server.once('error', reject);
		server.once('listening', () => {
			const address = server.address();
			const port = typeof address === 'object' && address ? address.port : options.port;
			resolve({
				server,
				port,
				close(timeoutMs) {
					return new Promise((done) => {
						let inTime = true;
						const timer = setTimeout(() => {
							inTime = false;
							server.closeAllConnections();
						}, timeoutMs);
						timer.unref();
						server.close(() => {
							clearTimeout(timer);
							done(inTime);
						});
						server.closeIdleConnections();
					});
				},
			});
		});
	});
}
