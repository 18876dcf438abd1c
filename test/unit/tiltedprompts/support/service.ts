// The real TiltedPrompts service, in-process: migrated Postgres (a fresh database), the gateway and
// ingest routes, the /api/v1 module with its event hooks and fan-out worker, users and API keys.
// Secrets are generated per run, never fixtures.
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApiKey, createUser } from '../../../../service/src/access/repository';
import type { Scope } from '../../../../service/src/access/api-keys';
import { createApiModule } from '../../../../service/src/api';
import { apiEnvSchema } from '../../../../service/src/api/settings';
import { createApp, type GatewaySettings } from '../../../../service/src/app';
import { signMetaBody } from '../../../../service/src/core/meta-signature';
import { parseEncryptionKeys } from '../../../../service/src/crypto/secret-box';
import { migrate } from '../../../../service/src/db/migrate';
import { createTestDatabase, type TestDatabase } from '../../../helpers/postgres';

export const ALL_SCOPES: Scope[] = ['library:read', 'library:write', 'contacts', 'campaigns', 'events'];

export interface RunningService {
	url: string;
	db: TestDatabase;
	settings: GatewaySettings;
	/** A whsec_ secret the ingest route accepts. */
	signingSecret: string;
	/** Keys of a pro and a free user with every scope. */
	proKey: string;
	freeKey: string;
	keyFor(tier: 'free' | 'pro', scopes: Scope[]): Promise<string>;
	/** POSTs a Meta webhook signed with the app secret (what Meta would send). */
	postMeta(body: unknown): Promise<Response>;
	close(): Promise<void>;
}

export async function startRealService(
	options: { ratePerMinute?: number; fanoutSchedule?: string } = {},
): Promise<RunningService> {
	const db = await createTestDatabase('tpnode');
	// Dropping the database at the end ends idle connections: that is expected, not a crash.
	db.pool.on('error', () => undefined);
	await migrate(db.pool);
	const settings: GatewaySettings = {
		META_APP_SECRETS: [randomBytes(16).toString('hex')],
		META_VERIFY_TOKEN: randomBytes(12).toString('hex'),
		INGEST_SIGNING_SECRETS: [`whsec_${randomBytes(32).toString('base64')}`],
		BODY_LIMIT_BYTES: 1024 * 1024,
		TRUST_PROXY_HOPS: 0,
		INGEST_RATE_LIMIT_PER_MINUTE: options.ratePerMinute ?? 1000,
	};
	const api = createApiModule({
		pool: db.pool,
		encryptionKeys: parseEncryptionKeys(`k1:${randomBytes(32).toString('base64')}`),
		settings: apiEnvSchema.parse({ FANOUT_POLL_INTERVAL: '200ms', FANOUT_RETRY_SCHEDULE: options.fanoutSchedule }),
	});
	const app = createApp({
		pool: db.pool,
		version: 'test',
		config: settings,
		hooks: api.hooks,
		routers: [{ router: api.router, openapi: api.openapi }],
	});
	const server: Server = app.listen(0, '127.0.0.1');
	await new Promise((resolve) => server.once('listening', resolve));
	await api.worker?.start();
	const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

	let users = 0;
	const keyFor = async (tier: 'free' | 'pro', scopes: Scope[]) => {
		const user = await createUser(db.pool, `user${++users}-${randomBytes(3).toString('hex')}@example.com`, tier);
		return (await createApiKey(db.pool, user.id, scopes)).key;
	};
	const proKey = await keyFor('pro', ALL_SCOPES);
	const freeKey = await keyFor('free', ALL_SCOPES);

	return {
		url,
		db,
		settings,
		signingSecret: settings.INGEST_SIGNING_SECRETS[0],
		proKey,
		freeKey,
		keyFor,
		async postMeta(body) {
			const raw = JSON.stringify(body);
			return await fetch(`${url}/webhooks/meta`, {
				method: 'POST',
				headers: {
					'content-type': 'application/json',
					'x-hub-signature-256': signMetaBody(raw, settings.META_APP_SECRETS[0]),
				},
				body: raw,
			});
		},
		async close() {
			await api.worker?.stop();
			await new Promise((resolve) => server.close(resolve));
			server.closeAllConnections?.();
			await db.drop();
		},
	};
}
