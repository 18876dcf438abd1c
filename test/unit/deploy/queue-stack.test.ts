// The queue-mode launcher (scripts/lib/queue-stack.js, run by the e2e tests and `npm start --queue`)
// and docker/compose.yml's queue profile configure n8n the same way: the same queue variables with
// the same meaning (only where Redis is differs: a container named `redis` on its default port there,
// a loopback port here), the same commands for main, webhook processor and workers, and the same
// readiness checks. What the e2e test proves about the launcher then holds for the compose file.
import { parse } from 'yaml';
import { COMMANDS, DEFAULT_CONCURRENCY, queueEnv } from '../../../scripts/lib/queue-stack';
import { n8nEnv } from '../../../scripts/lib/n8n';
import { composeText, resolveCompose, servicesOf, type ComposeService } from './deploy-files';

const ENV = {
	DOMAIN: 'automations.example.com',
	ACME_EMAIL: 'ops@example.com',
	META_APP_SECRETS: 'meta-app-secret-0123456789',
	META_VERIFY_TOKEN: 'verify-token-0123456789',
	INGEST_SIGNING_SECRETS: 'whsec_MDEyMzQ1Njc4OWFiY2RlZg==',
	ENCRYPTION_KEYS: 'k1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=',
	POSTGRES_PASSWORD: 'pg-password-0123',
	N8N_DB_PASSWORD: 'n8n-db-password-0123',
	N8N_ENCRYPTION_KEY: 'n8n-encryption-key-0123',
	REDIS_PASSWORD: 'redis-password-0123',
};

/** The compose file's x-n8n-queue-env block as written. */
const written = (parse(composeText()) as Record<string, Record<string, string>>)['x-n8n-queue-env'];
const services = servicesOf(resolveCompose(ENV), 'queue');
const launcher = queueEnv({ host: '127.0.0.1', port: 40123, password: 'launcher-redis-password' });

/** The port a compose healthcheck's readiness request goes to, and its path. */
function readinessOf(service: ComposeService): { port: string; path: string } {
	const match = /http:\/\/127\.0\.0\.1:(\d+)(\/[^']*)'/.exec(service.healthcheck!.test!.join(' '));
	return { port: match![1], path: match![2] };
}

describe('queue-mode launcher and the compose queue profile', () => {
	it('set the same queue variables', () => {
		expect(Object.keys(launcher).sort()).toEqual(Object.keys(written).sort());
		for (const name of ['n8n-main', 'n8n-webhook', 'n8n-worker'])
			expect(Object.keys(services[name].environment!)).toEqual(expect.arrayContaining(Object.keys(launcher)));
	});

	it('give the settings the same values, and Redis’s address and password where each runs it', () => {
		const composeEnv = services['n8n-worker'].environment!;
		for (const [name, value] of Object.entries(launcher)) {
			if (name.startsWith('QUEUE_BULL_REDIS_')) continue;
			expect([name, value]).toEqual([name, composeEnv[name]]);
		}
		// Compose: the `redis` service, on redis-server's default port, with the password its command requires.
		expect(composeEnv.QUEUE_BULL_REDIS_HOST).toBe('redis');
		expect(services.redis.command!.join(' ')).not.toMatch(/--port/);
		expect(composeEnv.QUEUE_BULL_REDIS_PORT).toBe('6379');
		expect(services.redis.command!.join(' ')).toMatch(/redis-server --requirepass "\$REDIS_PASSWORD"/);
		expect(services.redis.environment!.REDIS_PASSWORD).toBe(composeEnv.QUEUE_BULL_REDIS_PASSWORD);
		// The launcher: the redis-server it started.
		expect(launcher).toMatchObject({
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: '40123',
			QUEUE_BULL_REDIS_PASSWORD: 'launcher-redis-password',
		});
	});

	it('run main, the webhook processor and workers with the same commands', () => {
		// The n8n image's entrypoint runs `n8n` with the service's command; no command is `n8n start`.
		expect(services['n8n-main'].command).toBeUndefined();
		expect(COMMANDS.main()).toEqual(['start']);
		expect(services['n8n-webhook'].command).toEqual(COMMANDS.webhook());
		expect(services['n8n-worker'].command).toEqual(COMMANDS.worker());
		expect(COMMANDS.worker()).toEqual(['worker', `--concurrency=${DEFAULT_CONCURRENCY}`]);
	});

	it('check readiness where n8n serves it: main and webhook on N8N_PORT, a worker on QUEUE_HEALTH_CHECK_PORT', () => {
		for (const name of ['n8n-main', 'n8n-webhook']) {
			expect(readinessOf(services[name])).toEqual({
				port: services[name].environment!.N8N_PORT,
				path: '/healthz/readiness',
			});
		}
		const worker = services['n8n-worker'];
		// n8n's default QUEUE_HEALTH_CHECK_PORT is 5678; the launcher sets one per worker.
		expect(readinessOf(worker)).toEqual({
			port: worker.environment!.QUEUE_HEALTH_CHECK_PORT ?? '5678',
			path: '/healthz/readiness',
		});
	});

	it('point the same database and webhook variables at their Postgres and webhook processor', () => {
		const env = n8nEnv({
			userFolder: '/tmp/n8n',
			port: 5678,
			brokerPort: 5679,
			databaseUrl: 'postgres://n8n:secret@127.0.0.1:5432/n8n',
		});
		const composeEnv = services['n8n-main'].environment!;
		const names = Object.keys(composeEnv).filter((name) => /^(DB_|N8N_WEBHOOK_URL$)/.test(name));
		expect(names.sort()).toEqual(
			[
				'DB_TYPE',
				'DB_POSTGRESDB_HOST',
				'DB_POSTGRESDB_PORT',
				'DB_POSTGRESDB_DATABASE',
				'DB_POSTGRESDB_USER',
				'DB_POSTGRESDB_PASSWORD',
				'N8N_WEBHOOK_URL',
			].sort(),
		);
		for (const name of names) expect([name, typeof env[name]]).toEqual([name, 'string']);
		expect(env.DB_TYPE).toBe(composeEnv.DB_TYPE);
		// n8n 2.x deprecates WEBHOOK_URL: neither uses it.
		expect(composeEnv.WEBHOOK_URL).toBeUndefined();
		expect(env.WEBHOOK_URL).toBeUndefined();
	});
});
