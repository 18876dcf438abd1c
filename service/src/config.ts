// Service configuration from the environment, validated once at start (a clear message naming the
// missing or invalid variable). Every variable is documented in the README (section "Service").
import { z } from 'zod';
import { EncryptionKeysError, parseEncryptionKeys, type EncryptionKey } from './crypto/secret-box';
import { decodeSecret, InvalidSecretError } from './core/standard-webhooks';
import { apiEnvShape } from './api/settings';
import { retentionEnvShape } from './retention/settings';

const list = (value: string) =>
	value
		.split(',')
		.map((item) => item.trim())
		.filter(Boolean);

const required = (what: string) =>
	z.string({ error: (issue) => (issue.input === undefined ? `is required: ${what}` : `must be a string: ${what}`) });

const schema = z.object({
	PORT: z.coerce.number().int().min(0).max(65535).default(3000),
	HOST: z.string().default('0.0.0.0'),
	DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// or postgresql:// URL' }).optional(),
	DATABASE_POOL_SIZE: z.coerce.number().int().min(2).max(200).default(10),
	/** `false` behind a pooler in transaction mode (Supabase's port 6543), which cannot keep them. */
	DATABASE_PREPARED_STATEMENTS: z
		.enum(['true', 'false'])
		.default('true')
		.transform((v) => v === 'true'),
	SERVICE_DATA_DIR: z.string().default('.data/service-postgres'),
	LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
	META_APP_SECRETS: required('comma-separated Meta app secret(s) (App Dashboard → Settings → Basic)')
		.transform(list)
		.pipe(
			z
				.array(z.string().min(8, 'each app secret has at least 8 characters'))
				.min(1, 'at least one app secret is required'),
		),
	META_VERIFY_TOKEN: required('the verify token you enter in Meta’s webhook settings').min(
		8,
		'must be at least 8 characters',
	),
	INGEST_SIGNING_SECRETS: required('comma-separated Standard Webhooks secrets "whsec_…"')
		.transform(list)
		.pipe(z.array(z.string()).min(1, 'at least one whsec_ secret is required'))
		.superRefine((secrets, ctx) => {
			secrets.forEach((secret, index) => {
				try {
					decodeSecret(secret);
				} catch (error) {
					if (error instanceof InvalidSecretError)
						ctx.addIssue({ code: 'custom', message: `secret #${index + 1}: ${error.message}` });
					else throw error;
				}
			});
		}),
	ENCRYPTION_KEYS: required('comma-separated "<key id>:<base64 of 32 random bytes>"; the first encrypts').transform(
		(value, ctx): EncryptionKey[] => {
			try {
				return parseEncryptionKeys(value);
			} catch (error) {
				if (!(error instanceof EncryptionKeysError)) throw error;
				ctx.addIssue({ code: 'custom', message: error.message });
				return z.NEVER;
			}
		},
	),
	TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
	BODY_LIMIT_BYTES: z.coerce
		.number()
		.int()
		.min(1024)
		.max(100 * 1024 * 1024)
		.default(1024 * 1024),
	INGEST_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(10),
	SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
	// API keys, consent, campaigns and event fan-out (issue 4): see api/settings.ts.
	...apiEnvShape,
	// Retention of raw payloads, deliveries, ingest records and rate-limit counters: see retention/settings.ts.
	...retentionEnvShape,
});

export type Config = z.infer<typeof schema>;

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
	const result = schema.safeParse(env);
	if (!result.success) {
		// Name the variable and what is wrong; never echo the value (it may be a secret).
		const lines = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
		throw new ConfigError(`Invalid service configuration:\n${lines.join('\n')}`);
	}
	return result.data;
}
