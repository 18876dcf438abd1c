// Helpers for the /api/v1 tests: a migrated database, the service with the API module mounted (real
// HTTP on loopback), users and keys made through the same repository the CLI uses.
import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { parseScopes, type Scope } from '../../src/access/api-keys';
import { createApiKey, createUser } from '../../src/access/repository';
import { createApiModule, type ApiModule } from '../../src/api';
import { apiEnvSchema, type ApiSettings } from '../../src/api/settings';
import { parseEncryptionKeys } from '../../src/crypto/secret-box';
import type { EventHook } from '../../src/db/events';
import { migratedDatabase, startService, type TestService } from '../helpers';

export { migratedDatabase };

export interface ApiService extends TestService {
	api: ApiModule;
	/** fetch against the service with a bearer key. */
	call(
		key: string | undefined,
		method: string,
		path: string,
		body?: unknown,
	): Promise<{ status: number; body: any; headers: Headers }>;
}

export function settings(overrides: Record<string, string> = {}): ApiSettings {
	return apiEnvSchema.parse({ FANOUT_POLL_INTERVAL: '50ms', ...overrides });
}

// One key for the whole test file: several service instances on one database must share it.
const ENCRYPTION_KEYS = parseEncryptionKeys(`t1:${randomBytes(32).toString('base64')}`);
export function encryptionKeys() {
	return ENCRYPTION_KEYS;
}

/** The service with the API part; `extraHooks` run after the API's event hooks, in the same transaction. */
export async function startApiService(
	pool: Pool,
	overrides: Record<string, string> = {},
	extraHooks: EventHook[] = [],
): Promise<ApiService> {
	const api = createApiModule({ pool, encryptionKeys: encryptionKeys(), settings: settings(overrides) });
	const service = await startService(pool, { hooks: [...api.hooks, ...extraHooks], routers: [api] });
	const close = service.close;
	return Object.assign(service, {
		api,
		async close() {
			await api.worker?.stop();
			await close();
		},
		async call(key: string | undefined, method: string, path: string, body?: unknown) {
			const response = await fetch(`${service.url}${path}`, {
				method,
				headers: {
					...(key ? { authorization: `Bearer ${key}` } : {}),
					...(body === undefined ? {} : { 'content-type': 'application/json' }),
				},
				body: body === undefined ? undefined : JSON.stringify(body),
			});
			const text = await response.text();
			return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
		},
	});
}

/** A user with a key holding `scopes`; returns the key in clear. */
export async function userWithKey(
	pool: Pool,
	tier: 'free' | 'pro',
	scopes: Scope[] | string,
): Promise<{ userId: string; key: string; keyId: string }> {
	const user = await createUser(pool, `${tier}-${randomBytes(4).toString('hex')}@example.com`, tier);
	const key = await createApiKey(pool, user.id, typeof scopes === 'string' ? parseScopes(scopes) : scopes);
	return { userId: user.id, key: key.key, keyId: key.id };
}

/** Meta's envelope of a WhatsApp Cloud API `messages` webhook around one change's `value`. */
export function whatsappWebhook(value: Record<string, unknown>): string {
	return JSON.stringify({
		object: 'whatsapp_business_account',
		entry: [
			{
				id: '102290129340398',
				changes: [
					{
						field: 'messages',
						value: {
							messaging_product: 'whatsapp',
							metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
							...value,
						},
					},
				],
			},
		],
	});
}

/** A WhatsApp Cloud API webhook body with inbound text messages (Meta's documented shape). */
export function inboundMessages(
	messages: Array<{ from: string; id: string; text: string; timestamp?: number; name?: string }>,
): string {
	return whatsappWebhook({
		contacts: messages.map((m) => ({ profile: { name: m.name ?? 'Customer' }, wa_id: m.from })),
		messages: messages.map((m) => ({
			from: m.from,
			id: m.id,
			timestamp: String(m.timestamp ?? Math.floor(Date.now() / 1000)),
			type: 'text',
			text: { body: m.text },
		})),
	});
}

/** A WhatsApp status webhook body (sent / delivered / read / failed). */
export function statusUpdate(
	statuses: Array<{
		wamid: string;
		status: 'sent' | 'delivered' | 'read' | 'failed';
		recipient: string;
		timestamp?: number;
		error?: { code: number; title: string; details: string };
	}>,
): string {
	return whatsappWebhook({
		statuses: statuses.map((s) => ({
			id: s.wamid,
			status: s.status,
			timestamp: String(s.timestamp ?? Math.floor(Date.now() / 1000)),
			recipient_id: s.recipient,
			...(s.error
				? {
						errors: [
							{
								code: s.error.code,
								title: s.error.title,
								message: s.error.title,
								error_data: { details: s.error.details },
							},
						],
					}
				: {}),
		})),
	});
}

export function wamid(): string {
	return `wamid.${randomBytes(24).toString('base64url')}`;
}
