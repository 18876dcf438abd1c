import express from 'express';
import type { AddressInfo } from 'node:net';
import { DatabaseUnavailableError } from '../db/client';
import { createLogger } from '../logger';
import { errorHandler, sendError } from './errors';

// Errors as pg and node raise them when the database goes away mid-request.
const connectionErrors: Record<string, () => Error> = {
	'typed DatabaseUnavailableError': () => new DatabaseUnavailableError(new Error('Connection terminated unexpectedly')),
	'57P01 admin shutdown': () =>
		Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
	'57P02 crash shutdown': () =>
		Object.assign(new Error('terminating connection due to crash of another server process'), { code: '57P02' }),
	'57P03 cannot connect now': () => Object.assign(new Error('the database system is starting up'), { code: '57P03' }),
	'08006 connection failure': () => Object.assign(new Error('connection failure'), { code: '08006' }),
	'08P01 protocol violation': () => Object.assign(new Error('protocol violation'), { code: '08P01' }),
	ECONNRESET: () => Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
	ECONNREFUSED: () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
	'connection terminated': () => new Error('Connection terminated unexpectedly'),
	'pool checkout timeout': () => new Error('timeout exceeded when trying to connect'),
	'connection timeout': () => new Error('Connection terminated due to connection timeout'),
	'client not queryable': () => new Error('Client has encountered a connection error and is not queryable'),
};

async function answer(error: Error): Promise<{ status: number; retryAfter: string | null; body: any }> {
	const app = express();
	app.get('/', () => {
		throw error;
	});
	app.use(errorHandler(createLogger('silent')));
	const server = app.listen(0, '127.0.0.1');
	await new Promise((resolve) => server.once('listening', resolve));
	try {
		const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
		return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.json() };
	} finally {
		server.close();
	}
}

describe('errorHandler: the database going away', () => {
	it.each(Object.keys(connectionErrors))('answers %s with 503, Retry-After and database_unavailable', async (name) => {
		const res = await answer(connectionErrors[name]());
		expect(res.status).toBe(503);
		expect(Number(res.retryAfter)).toBeGreaterThan(0);
		expect(res.body.error.code).toBe('database_unavailable');
		expect(res.body.error.message).toMatch(/database is unavailable.*Retry/i);
	});

	it('still answers a bad statement with 500 (it is not the database being away)', async () => {
		const res = await answer(Object.assign(new Error('syntax error at or near "SELEC"'), { code: '42601' }));
		expect(res.status).toBe(500);
		expect(res.body.error.code).toBe('internal_error');
	});
});

describe('sendError: the message is the HTTP reason phrase too', () => {
	it('so clients that show only the status line (n8n’s credential test) show what is wrong, in ASCII', async () => {
		const app = express();
		app.get('/', (_req, res) =>
			sendError(res, 401, 'invalid_api_key', 'The API key’s owner is “gone” — नमस्ते: check the credential.'),
		);
		const server = app.listen(0, '127.0.0.1');
		await new Promise((resolve) => server.once('listening', resolve));
		try {
			const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
			expect(res.status).toBe(401);
			expect(res.statusText).toBe('The API key\'s owner is "gone" - : check the credential.');
			expect((await res.json()).error.message).toBe('The API key’s owner is “gone” — नमस्ते: check the credential.');
		} finally {
			server.close();
		}
	});
});
