// The fan-out worker's LISTEN connection: wakes the worker when new deliveries commit. It holds one
// client checked out of the pool for as long as it runs; when that connection breaks (failover,
// restart, terminated session) it listens again with a growing delay until the database is back.
// Polling covers whatever was notified meanwhile, and every (re)connection wakes the worker once.
import type { Pool } from 'pg';
import { backoffDelay, withClient } from '../db/client';

export interface ListenerOptions {
	pool: Pool;
	channel: string;
	/** A notification arrived, or the listener (re)connected (notifications may have been missed). */
	onWake: () => void;
	log?: (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
	/** First retry delay and the longest one, in ms. */
	backoff?: { initialMs: number; maxMs: number };
}

export interface Listener {
	/** Resolves after the first attempt to LISTEN (whether it worked or not). */
	ready: Promise<void>;
	stop(): Promise<void>;
}

function whenAborted(signal: AbortSignal): Promise<never> {
	const aborted = new Promise<never>((_resolve, reject) => {
		if (signal.aborted) reject(signal.reason);
		else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
	});
	aborted.catch(() => undefined); // may reject after nobody waits for it any more
	return aborted;
}

export function startListener(options: ListenerOptions): Listener {
	const { initialMs, maxMs } = options.backoff ?? { initialMs: 250, maxMs: 10_000 };
	const log = options.log ?? (() => undefined);
	let stopped = false;
	let signalStop!: () => void;
	const stopping = new Promise<void>((resolve) => (signalStop = resolve));
	let signalReady!: () => void;
	const ready = new Promise<void>((resolve) => (signalReady = resolve));

	const listenOnce = () =>
		withClient(options.pool, async (client, lost) => {
			const onNotification = () => options.onWake();
			client.on('notification', onNotification);
			try {
				await client.query(`LISTEN ${options.channel}`);
				signalReady();
				options.onWake();
				await Promise.race([stopping, whenAborted(lost)]);
				await client.query(`UNLISTEN ${options.channel}`).catch(() => undefined);
			} finally {
				client.off('notification', onNotification);
			}
		});

	const loop = (async () => {
		let failures = 0;
		while (!stopped) {
			try {
				await listenOnce();
				failures = 0;
			} catch (error) {
				signalReady();
				if (stopped) break;
				failures += 1;
				const delayMs = backoffDelay(failures, initialMs, maxMs);
				log('warn', 'fan-out LISTEN unavailable; polling until it is back', {
					error: (error as Error).message,
					retry_in_ms: delayMs,
				});
				await Promise.race([stopping, new Promise((resolve) => setTimeout(resolve, delayMs).unref())]);
			}
		}
	})();

	return {
		ready,
		async stop() {
			stopped = true;
			signalStop();
			await loop;
		},
	};
}
