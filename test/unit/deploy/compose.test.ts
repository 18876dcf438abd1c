// docker/compose.yml, docker/.env.example, docker/init-env.sh and docker/Caddyfile, checked without a
// Docker engine: what `docker compose up` would start, with which configuration, behind which routes.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../service/src/config';
import {
	composeReferences,
	DOCKER,
	envObject,
	InterpolationError,
	networksOf,
	parseEnvFile,
	readCaddyRoutes,
	readComposeRaw,
	readDockerfile,
	resolveCompose,
	routeFor,
	SECRET,
	servicesOf,
	type Compose,
	type EnvEntry,
} from './deploy-files';

const example = parseEnvFile(readFileSync(join(DOCKER, '.env.example'), 'utf8'));
/** Values a user types in by hand (everything else is generated or has a default). */
const USER_SET = {
	DOMAIN: 'automations.example.com',
	ACME_EMAIL: 'ops@example.com',
	META_APP_SECRETS: 'meta-app-secret-0123456789',
};

/** docker/.env as the README's steps produce it: init-env.sh, then the three values a user sets. */
function generatedEnv(): { entries: EnvEntry[]; env: Record<string, string> } {
	const dir = mkdtempSync(join(tmpdir(), 'tp-env-'));
	try {
		const file = join(dir, '.env');
		execFileSync('sh', [join(DOCKER, 'init-env.sh'), file], { stdio: ['ignore', 'ignore', 'pipe'] });
		expect(statSync(file).mode & 0o077).toBe(0); // readable by its owner only
		const entries = parseEnvFile(readFileSync(file, 'utf8'));
		return { entries, env: { ...envObject(entries), ...USER_SET } };
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

/** The variables the service reads: every key its config schema looks up (recorded through a Proxy). */
function serviceConfigKeys(): Set<string> {
	const seen = new Set<string>();
	const env = new Proxy({} as NodeJS.ProcessEnv, {
		get(_target, key) {
			if (typeof key === 'string') seen.add(key);
			return undefined;
		},
	});
	expect(() => loadConfig(env)).toThrow(); // required variables are missing
	return seen;
}

describe('docker/compose.yml', () => {
	const raw = readComposeRaw();
	const { env } = generatedEnv();
	const profiles: Record<string, Compose> = { single: resolveCompose(env), queue: resolveCompose(env) };

	it('defines the one-VM stack and the queue profile', () => {
		expect(Object.keys(servicesOf(raw, 'single')).sort()).toEqual(['caddy', 'n8n', 'postgres', 'service']);
		expect(Object.keys(servicesOf(raw, 'queue')).sort()).toEqual(
			['caddy', 'n8n-main', 'n8n-webhook', 'n8n-worker', 'postgres', 'redis', 'service', 'service-2'].sort(),
		);
	});

	it('gives every service a healthcheck', () => {
		for (const [name, service] of Object.entries(raw.services)) {
			expect([name, service.healthcheck?.disable]).toEqual([name, undefined]);
			const test = service.healthcheck?.test ?? [];
			expect([name, test[0]]).toEqual([name, expect.stringMatching(/^CMD(-SHELL)?$/)]);
			expect(test.length).toBeGreaterThan(1);
		}
	});

	it('pins every image by version, its own images included (no `latest`)', () => {
		const pinned = /^[a-z0-9./-]+:\d+\.\d+(\.\d+)?(-[a-z0-9.-]+)?$/;
		for (const [name, service] of Object.entries(raw.services)) {
			if (service.build) {
				const dockerfile = readDockerfile(service.build.dockerfile.replace(/^docker\//, ''));
				const stageNames = dockerfile.stages.map((stage) => stage.name).filter(Boolean);
				for (const stage of dockerfile.stages) {
					if (stageNames.includes(stage.image)) continue;
					expect([name, stage.image]).toEqual([name, expect.stringMatching(pinned)]);
				}
			} else {
				expect([name, service.image]).toEqual([name, expect.stringMatching(pinned)]);
			}
		}
	});

	it('documents every variable it uses in .env.example, and nothing else', () => {
		const used = new Set(composeReferences().map((reference) => reference.name));
		const documented = new Map(example.map((entry) => [entry.name, entry]));
		expect(used.size).toBeGreaterThan(10);
		for (const name of used) {
			// present, with a comment right above it saying what it is
			expect([name, documented.has(name), Boolean(documented.get(name)?.comment)]).toEqual([name, true, true]);
		}
		// COMPOSE_PROFILES is read by compose itself.
		const unused = [...documented.keys()].filter((name) => !used.has(name) && name !== 'COMPOSE_PROFILES');
		expect(unused).toEqual([]);
	});

	it('gives no secret a default: each one is required and empty in .env.example', () => {
		const secrets = composeReferences().filter((reference) => SECRET.test(reference.name));
		expect(new Set(secrets.map((s) => s.name))).toEqual(
			new Set([
				'POSTGRES_PASSWORD',
				'N8N_DB_PASSWORD',
				'N8N_ENCRYPTION_KEY',
				'REDIS_PASSWORD',
				'META_APP_SECRETS',
				'META_VERIFY_TOKEN',
				'INGEST_SIGNING_SECRETS',
				'ENCRYPTION_KEYS',
			]),
		);
		for (const secret of secrets) expect([secret.text, secret.operator]).toEqual([secret.text, ':?']);
		for (const entry of example.filter((e) => SECRET.test(e.name)))
			expect([entry.name, entry.value]).toEqual([entry.name, '']);
	});

	it('refuses to start while a secret is missing, naming it', () => {
		for (const name of [
			'POSTGRES_PASSWORD',
			'N8N_ENCRYPTION_KEY',
			'META_APP_SECRETS',
			'ENCRYPTION_KEYS',
			'REDIS_PASSWORD',
		]) {
			expect(() => resolveCompose({ ...env, [name]: '' })).toThrow(InterpolationError);
			expect(() => resolveCompose({ ...env, [name]: '' })).toThrow(new RegExp(`\\b${name}\\b`));
		}
		expect(() => resolveCompose(envObject(example))).toThrow(InterpolationError); // .env.example as is
	});

	it('keeps docker/.env out of git and out of the images', () => {
		expect(
			execFileSync('git', ['check-ignore', 'docker/.env'], { cwd: join(DOCKER, '..'), encoding: 'utf8' }).trim(),
		).toBe('docker/.env');
		// .dockerignore starts by excluding everything, then lists what the images need
		const dockerignore = readFileSync(join(DOCKER, '..', '.dockerignore'), 'utf8')
			.split('\n')
			.filter((l) => l.trim() && !l.startsWith('#'));
		expect(dockerignore[0]).toBe('*');
		expect(dockerignore.filter((l) => l.startsWith('!')).some((l) => /env|docker/.test(l))).toBe(false);
	});

	it('init-env.sh generates every secret a user does not type in, fresh each time', () => {
		const first = generatedEnv().entries;
		const second = envObject(generatedEnv().entries);
		for (const entry of first.filter((e) => SECRET.test(e.name) && !(e.name in USER_SET))) {
			expect([entry.name, entry.value.length >= 32]).toEqual([entry.name, true]);
			expect([entry.name, second[entry.name]]).not.toEqual([entry.name, entry.value]);
		}
		// What the user types in stays empty until they do.
		for (const name of Object.keys(USER_SET)) expect(first.find((e) => e.name === name)?.value).toBe('');
		// Everything else keeps the example's value.
		for (const entry of example.filter((e) => !SECRET.test(e.name)))
			expect(envObject(first)[entry.name]).toBe(entry.value);
	});

	it('sets only variables the service reads, and a configuration the service accepts', () => {
		const keys = serviceConfigKeys();
		for (const [profile, compose] of Object.entries(profiles)) {
			for (const [name, service] of Object.entries(servicesOf(compose, profile))) {
				if (!service.build?.dockerfile.endsWith('service.Dockerfile')) continue;
				const environment = service.environment ?? {};
				for (const key of Object.keys(environment)) expect([name, key, keys.has(key)]).toEqual([name, key, true]);
				const config = loadConfig(environment);
				expect(config.DATABASE_URL).toMatch(/^postgres:\/\/postgres:[0-9a-f]{64}@postgres:5432\/tiltedprompts$/);
				expect(config.TRUST_PROXY_HOPS).toBe(1); // Caddy
				expect(config.META_APP_SECRETS).toEqual([USER_SET.META_APP_SECRETS]);
			}
		}
	});

	it('routes /webhooks/* and /api/* to the service and the rest to n8n, in both profiles', () => {
		const routes = readCaddyRoutes(readFileSync(join(DOCKER, 'Caddyfile'), 'utf8'));
		const expected: Array<[string, string]> = [
			['/webhooks/meta', 'service'],
			['/api/v1/ingest-bundle', 'service'],
			['/api/v1/library/assets', 'service'],
			['/webhook/instagram-post', 'n8n-webhook'],
			['/webhook-test/instagram-post', 'n8n'],
			['/', 'n8n'],
			['/rest/login', 'n8n'],
			['/n8n-api/v1/workflows', 'n8n'],
		];
		for (const [profile, compose] of Object.entries(profiles)) {
			const services = servicesOf(compose, profile);
			const caddyNetworks = Object.keys(networksOf('caddy', services.caddy));
			for (const [path, host] of expected) {
				const route = routeFor(routes, path);
				expect([path, route?.upstreams.map((u) => u.split(':')[0])]).toEqual([path, [host]]);
				const [, port] = route!.upstreams[0].split(':');
				// Containers Caddy reaches under that name, on a network it shares with them.
				const targets = Object.entries(services).filter(([name, service]) =>
					Object.entries(networksOf(name, service)).some(
						([network, aliases]) => caddyNetworks.includes(network) && aliases.includes(host),
					),
				);
				expect([profile, path, targets.length > 0]).toEqual([profile, path, true]);
				for (const [name, service] of targets) {
					const listens = service.environment?.PORT ?? service.environment?.N8N_PORT;
					expect([profile, name, listens]).toEqual([profile, name, port]);
				}
			}
		}
		// Inside the compose network, the public name leads to Caddy too (no hairpin through the VM's IP).
		expect(networksOf('caddy', servicesOf(profiles.single, 'single').caddy).edge).toContain(USER_SET.DOMAIN);
		// n8n's own public API must not sit under the service's /api/.
		const n8nEnv = servicesOf(profiles.single, 'single').n8n.environment!;
		expect(n8nEnv.N8N_PUBLIC_API_ENDPOINT).not.toBe('api');
		expect(n8nEnv.N8N_PROXY_HOPS).toBe('1');
	});

	it('runs two service replicas and n8n main, webhook and worker processes in the queue profile', () => {
		const services = servicesOf(profiles.queue, 'queue');
		const serviceReplicas = Object.entries(services).filter(([name, service]) =>
			Object.values(networksOf(name, service)).some((aliases) => aliases.includes('service')),
		);
		expect(serviceReplicas.map(([name]) => name).sort()).toEqual(['service', 'service-2']);
		expect(serviceReplicas[0][1].environment).toEqual(serviceReplicas[1][1].environment);

		const n8nProcesses = ['n8n-main', 'n8n-webhook', 'n8n-worker'].map((name) => services[name]);
		expect(n8nProcesses.map((service) => service.command?.[0])).toEqual([undefined, 'webhook', 'worker']);
		for (const service of n8nProcesses) {
			expect(service.environment).toMatchObject({
				EXECUTIONS_MODE: 'queue',
				QUEUE_BULL_REDIS_HOST: 'redis',
				QUEUE_BULL_REDIS_PASSWORD: env.REDIS_PASSWORD,
				N8N_ENCRYPTION_KEY: env.N8N_ENCRYPTION_KEY, // workers decrypt the same credentials
				DB_POSTGRESDB_PASSWORD: env.N8N_DB_PASSWORD,
				N8N_DEFAULT_BINARY_DATA_MODE: 'database', // shared by every process, unlike a local folder
			});
			expect(service.build?.dockerfile).toBe('docker/n8n.Dockerfile'); // workers run our nodes too
		}
		expect(services['n8n-worker'].command).toEqual(['worker', `--concurrency=${env.N8N_WORKER_CONCURRENCY}`]);
		// The one-process n8n is not in queue mode.
		expect(servicesOf(profiles.single, 'single').n8n.environment?.EXECUTIONS_MODE).toBeUndefined();
	});

	it('keeps Postgres and Redis off the internet and away from the proxy', () => {
		expect(raw.networks?.backend?.internal).toBe(true);
		const services = servicesOf(profiles.queue, 'queue');
		for (const name of ['postgres', 'redis'])
			expect(Object.keys(networksOf(name, services[name]))).toEqual(['backend']);
		expect(Object.keys(networksOf('caddy', services.caddy))).toEqual(['edge']);
		for (const [name, service] of Object.entries(raw.services)) {
			if (name !== 'caddy') expect([name, service.ports]).toEqual([name, undefined]);
		}
	});

	it('starts nothing before the database it needs is healthy', () => {
		for (const [profile, compose] of Object.entries(profiles)) {
			const services = servicesOf(compose, profile);
			for (const [name, service] of Object.entries(services)) {
				for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
					expect([profile, name, dependency in services]).toEqual([profile, name, true]);
					expect(condition).toBe('service_healthy');
				}
				const usesPostgres = JSON.stringify(service.environment ?? {}).includes('postgres');
				if (usesPostgres && name !== 'postgres') {
					// directly, or through a dependency that waited for it
					const waits = (n: string): boolean =>
						Object.keys(services[n].depends_on ?? {}).some((d) => d === 'postgres' || waits(d));
					expect([profile, name, waits(name)]).toEqual([profile, name, true]);
				}
			}
		}
	});
});
