import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from './config';

const valid = () => ({
	META_APP_SECRETS: `${randomBytes(16).toString('hex')}, ${randomBytes(16).toString('hex')}`,
	META_VERIFY_TOKEN: randomBytes(12).toString('hex'),
	INGEST_SIGNING_SECRETS: `whsec_${randomBytes(32).toString('base64')}`,
	ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
});

function message(env: NodeJS.ProcessEnv): string {
	try {
		loadConfig(env);
	} catch (error) {
		expect(error).toBeInstanceOf(ConfigError);
		return (error as Error).message;
	}
	throw new Error('expected a ConfigError');
}

describe('service configuration', () => {
	it('parses lists and applies defaults', () => {
		const config = loadConfig(valid());
		expect(config.META_APP_SECRETS).toHaveLength(2);
		expect(config.PORT).toBe(3000);
		expect(config.INGEST_RATE_LIMIT_PER_MINUTE).toBe(10);
		expect(config.ENCRYPTION_KEYS[0].id).toBe('k1');
		expect(config.DATABASE_URL).toBeUndefined();
		expect(config.DATABASE_PREPARED_STATEMENTS).toBe(true);
		expect(loadConfig({ ...valid(), DATABASE_PREPARED_STATEMENTS: 'false' }).DATABASE_PREPARED_STATEMENTS).toBe(false);
		expect(message({ ...valid(), DATABASE_PREPARED_STATEMENTS: 'no' })).toMatch(/DATABASE_PREPARED_STATEMENTS/);
	});

	it('keeps raw payloads 30 days, succeeded deliveries 14, ingest records 7 and rate-limit counters 1 hour unless told otherwise', () => {
		const day = 86_400_000;
		expect(loadConfig(valid())).toMatchObject({
			RETENTION_RAW_PAYLOADS: 30 * day,
			RETENTION_DELIVERIES: 14 * day,
			RETENTION_INGEST_REQUESTS: 7 * day,
			RETENTION_RATE_LIMIT_COUNTERS: 3_600_000,
			RETENTION_SWEEP_INTERVAL: 60_000,
			RETENTION_BATCH_SIZE: 500,
		});
		expect(loadConfig({ ...valid(), RETENTION_RAW_PAYLOADS: '90d', RETENTION_BATCH_SIZE: '100' })).toMatchObject({
			RETENTION_RAW_PAYLOADS: 90 * day,
			RETENTION_BATCH_SIZE: 100,
		});
	});

	it('names a retention shorter than its minimum or not a duration', () => {
		const text = message({ ...valid(), RETENTION_RAW_PAYLOADS: '5m', RETENTION_DELIVERIES: 'a week' });
		expect(text).toMatch(/RETENTION_RAW_PAYLOADS: must be between/);
		expect(text).toMatch(/RETENTION_DELIVERIES: "a week" is not a delay/);
	});

	it.each(['META_APP_SECRETS', 'META_VERIFY_TOKEN', 'INGEST_SIGNING_SECRETS', 'ENCRYPTION_KEYS'])(
		'names %s when it is missing',
		(name) => {
			const env: NodeJS.ProcessEnv = valid();
			delete env[name];
			expect(message(env)).toMatch(new RegExp(`${name}: is required`));
		},
	);

	it('names invalid values without echoing them', () => {
		const secret = 'not-a-whsec-secret';
		const text = message({ ...valid(), INGEST_SIGNING_SECRETS: secret, PORT: 'eighty', DATABASE_URL: 'mysql://x' });
		expect(text).toMatch(/INGEST_SIGNING_SECRETS: secret #1/);
		expect(text).toMatch(/PORT:/);
		expect(text).toMatch(/DATABASE_URL:/);
		expect(text).not.toContain(secret);
		expect(message({ ...valid(), ENCRYPTION_KEYS: 'k1:short' })).toMatch(/ENCRYPTION_KEYS:.*32/);
	});
});
