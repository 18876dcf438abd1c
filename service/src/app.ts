// Composition root of the HTTP app: routes are thin shells over pure cores and repositories.
// Issue-4 routers plug in through `deps.routers` (mounted after the gateway routes, before the 404
// handler, with their OpenAPI paths merged into /openapi.json) and event hooks through `deps.hooks`
// (run inside the event-store transaction; see db/events.ts → EventHook).
import express, { type Express, type Router } from 'express';
import type { Pool } from 'pg';
import type { Config } from './config';
import { EventStore, type EventHook } from './db/events';
import { pendingMigrations } from './db/migrate';
import { errorHandler, sendDatabaseUnavailable, sendError } from './http/errors';
import { observe } from './http/observe';
import { createLogger, type Logger } from './logger';
import { createMetrics, type Metrics } from './metrics';
import { buildOpenApi, coreContribution, type OpenApiContribution } from './openapi';
import { createIngestRouter } from './routes/ingest';
import { createMetaWebhookRouter, metaPostFastPath } from './routes/meta';
import { firstFastPath, type FastPath } from './http/fast-path';

export type GatewaySettings = Pick<
	Config,
	| 'META_APP_SECRETS'
	| 'META_VERIFY_TOKEN'
	| 'INGEST_SIGNING_SECRETS'
	| 'BODY_LIMIT_BYTES'
	| 'TRUST_PROXY_HOPS'
	| 'INGEST_RATE_LIMIT_PER_MINUTE'
> &
	Partial<Pick<Config, 'DATABASE_PREPARED_STATEMENTS'>>;

export interface MountedRouter {
	router: Router;
	/** OpenAPI paths (and component schemas) the router serves. */
	openapi?: OpenApiContribution;
}

export interface AppDeps {
	pool: Pool;
	version: string;
	/** Secrets and limits of the Meta webhook and bundle ingestion; without it those routes are absent. */
	config?: GatewaySettings;
	logger?: Logger;
	metrics?: Metrics;
	/** Extension hooks run inside the event-store transaction with the newly stored events. */
	hooks?: EventHook[];
	/** Further routers (e.g. `/api/v1/*` of issue 4). */
	routers?: MountedRouter[];
	/** Shared event store; created from `pool` and `hooks` when absent. */
	eventStore?: EventStore;
	/** Clock (tests). */
	now?: () => Date;
	/** Verify a readiness probe also checks migrations (default true). */
	checkMigrations?: boolean;
}

export interface App extends Express {
	locals: Express['locals'] & { eventStore?: EventStore; metrics: Metrics; logger: Logger; fastPath?: FastPath };
}

/**
 * The event store and Meta's webhook, when the app has its config: the POST goes on the fast path
 * (serve() tries it before express; the first middleware does for an app used without serve()).
 */
function webhookParts(deps: AppDeps, metrics: Metrics, logger: Logger) {
	const config = deps.config;
	if (!config) return { metaOptions: undefined, fast: firstFastPath([]) };
	const store =
		deps.eventStore ??
		new EventStore(deps.pool, {
			hooks: deps.hooks,
			preparedStatements: config.DATABASE_PREPARED_STATEMENTS ?? true,
			onBatch: ({ seconds }) => metrics.eventStoreSeconds.observe({ source: 'meta' }, seconds),
		});
	const metaOptions = {
		appSecrets: config.META_APP_SECRETS,
		verifyToken: config.META_VERIFY_TOKEN,
		store,
		metrics,
		bodyLimitBytes: config.BODY_LIMIT_BYTES,
		now: deps.now,
	};
	const fast = firstFastPath([
		metaPostFastPath(metaOptions, { logger, metrics, trustProxyHops: config.TRUST_PROXY_HOPS ?? 0 }),
	]);
	return { metaOptions, fast };
}

export function createApp(deps: AppDeps): App {
	const app = express() as App;
	const logger = deps.logger ?? createLogger(process.env.LOG_LEVEL ?? 'silent');
	const metrics = deps.metrics ?? createMetrics({ defaultMetrics: false });
	app.disable('x-powered-by');
	app.set('trust proxy', deps.config?.TRUST_PROXY_HOPS ?? 0);
	app.set('query parser', 'simple');
	app.locals.metrics = metrics;
	app.locals.logger = logger;

	const { metaOptions, fast } = webhookParts(deps, metrics, logger);
	app.locals.eventStore = metaOptions?.store;
	app.locals.fastPath = fast;
	app.use((req, res, next) => {
		if (!fast(req, res)) next();
	});
	app.use(observe(logger, metrics));

	app.get('/healthz', (_req, res) => {
		res.json({ status: 'ok', service: 'tiltedprompts', version: deps.version });
	});

	app.get('/readyz', async (_req, res) => {
		try {
			await deps.pool.query('SELECT 1');
		} catch {
			return sendDatabaseUnavailable(res, 'The database is not reachable.');
		}
		if (deps.checkMigrations !== false) {
			const pending = await pendingMigrations(deps.pool).catch(() => null);
			if (pending === null) return sendDatabaseUnavailable(res, 'The database is not reachable.');
			if (pending.length > 0)
				return sendError(res, 503, 'migrations_pending', `Migrations not applied yet: ${pending.join(', ')}.`, {
					pending,
				});
		}
		res.json({ status: 'ready' });
	});

	app.get('/metrics', async (_req, res) => {
		res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
	});

	const contributions: OpenApiContribution[] = [
		coreContribution,
		...(deps.routers ?? []).flatMap((r) => (r.openapi ? [r.openapi] : [])),
	];
	const openapi = buildOpenApi(deps.version, contributions);
	app.get('/openapi.json', (_req, res) => {
		res.json(openapi);
	});

	if (deps.config && metaOptions) {
		app.use(createMetaWebhookRouter(metaOptions));
		app.use(
			createIngestRouter({
				pool: deps.pool,
				signingSecrets: deps.config.INGEST_SIGNING_SECRETS,
				store: metaOptions.store,
				metrics,
				bodyLimitBytes: deps.config.BODY_LIMIT_BYTES,
				ratePerMinute: deps.config.INGEST_RATE_LIMIT_PER_MINUTE,
				now: deps.now,
			}),
		);
	}

	for (const mounted of deps.routers ?? []) app.use(mounted.router);

	app.use((req, res) => sendError(res, 404, 'not_found', `No route for ${req.method} ${req.path}.`));
	app.use(errorHandler(logger));
	return app;
}
