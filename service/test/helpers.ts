// Service-test helpers: a migrated database, generated secrets (never fixtures), a listening app,
// and signing helpers that sign the exact bytes sent.
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Pool } from 'pg';
import { createApp, type AppDeps, type GatewaySettings } from '../src/app';
import { signMetaBody } from '../src/core/meta-signature';
import { signHeaders } from '../src/core/standard-webhooks';
import { migrate } from '../src/db/migrate';
import { serve, type RunningServer } from '../src/server';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/postgres';

export function generateSettings(overrides: Partial<GatewaySettings> = {}): GatewaySettings {
	return {
		META_APP_SECRETS: [randomBytes(16).toString('hex'), randomBytes(16).toString('hex')],
		META_VERIFY_TOKEN: randomBytes(12).toString('hex'),
		INGEST_SIGNING_SECRETS: [
			`whsec_${randomBytes(32).toString('base64')}`,
			`whsec_${randomBytes(32).toString('base64')}`,
		],
		BODY_LIMIT_BYTES: 64 * 1024,
		TRUST_PROXY_HOPS: 0,
		INGEST_RATE_LIMIT_PER_MINUTE: 1000,
		...overrides,
	};
}

export async function migratedDatabase(prefix: string): Promise<TestDatabase> {
	const db = await createTestDatabase(prefix);
	await migrate(db.pool);
	return db;
}

export interface TestService {
	url: string;
	settings: GatewaySettings;
	running: RunningServer;
	app: ReturnType<typeof createApp>;
	close(): Promise<void>;
	postMeta(body: string | Buffer, options?: { secret?: string; headers?: Record<string, string> }): Promise<Response>;
	postBundle(
		body: string | Buffer,
		options?: { id?: string; timestamp?: number; secret?: string; headers?: Record<string, string> },
	): Promise<Response>;
}

export async function startService(
	pool: Pool,
	options: Partial<AppDeps> & { settings?: Partial<GatewaySettings> } = {},
): Promise<TestService> {
	const settings = generateSettings(options.settings);
	const app = createApp({ version: 'test', config: settings, ...options, pool });
	const running = await serve(app, { port: 0, host: '127.0.0.1' });
	const url = `http://127.0.0.1:${(running.server.address() as AddressInfo).port}`;
	return {
		url,
		settings,
		running,
		app,
		async close() {
			await running.close(2000);
		},
		postMeta(body, opts = {}) {
			return fetch(`${url}/webhooks/meta`, {
				method: 'POST',
				headers: {
					'content-type': 'application/json',
					'x-hub-signature-256': signMetaBody(body, opts.secret ?? settings.META_APP_SECRETS[0]),
					...opts.headers,
				},
				body,
			});
		},
		postBundle(body, opts = {}) {
			const id = opts.id ?? `msg_${randomBytes(8).toString('hex')}`;
			const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
			return fetch(`${url}/api/v1/ingest-bundle`, {
				method: 'POST',
				headers: {
					'content-type': 'application/json',
					...signHeaders([opts.secret ?? settings.INGEST_SIGNING_SECRETS[0]], id, timestamp, body),
					...opts.headers,
				},
				body,
			});
		},
	};
}

export async function count(pool: Pool, sql: string, params: unknown[] = []): Promise<number> {
	const { rows } = await pool.query<{ n: string }>(`SELECT count(*)::text AS n FROM (${sql}) q`, params);
	return Number(rows[0].n);
}

/** The JSON body of a response, loosely typed for assertions. */

export const json = (res: Response): Promise<any> => res.json();
