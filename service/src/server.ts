// Listening and graceful shutdown: `close()` stops accepting connections, lets in-flight requests
// finish (idle keep-alive connections are closed at once), and after `timeoutMs` closes the rest.
import type { Server } from 'node:http';
import type { Express } from 'express';

export interface RunningServer {
	server: Server;
	port: number;
	/** Resolves true when every request finished in time, false when the timeout cut some off. */
	close(timeoutMs: number): Promise<boolean>;
}

export function serve(app: Express, options: { port: number; host?: string }): Promise<RunningServer> {
	return new Promise((resolve, reject) => {
		const server = app.listen(options.port, options.host ?? '0.0.0.0');
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
