// A fan-out subscriber that answers 200 and counts how often each webhook-id arrived.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CountingHook {
	server: Server;
	url: string;
	/** webhook-id → times received. */
	received: Map<string, number>;
	close(): Promise<void>;
}

export async function startCountingHook(): Promise<CountingHook> {
	const received = new Map<string, number>();
	const server = createServer((req, res) => {
		req.resume();
		req.on('end', () => {
			const id = String(req.headers['webhook-id']);
			received.set(id, (received.get(id) ?? 0) + 1);
			res.writeHead(200).end('ok');
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		server,
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
		received,
		close: () =>
			new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}
