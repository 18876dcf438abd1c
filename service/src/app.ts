// Composition of the HTTP app: routes are thin shells over pure cores and repositories.
import express, { type Express } from 'express';
import type { Pool } from 'pg';

export interface AppDeps {
	pool: Pool;
	version: string;
}

export function createApp(deps: AppDeps): Express {
	const app = express();
	app.disable('x-powered-by');

	app.get('/healthz', (_req, res) => {
		res.json({ status: 'ok', service: 'tiltedprompts', version: deps.version });
	});

	app.get('/readyz', async (_req, res) => {
		try {
			await deps.pool.query('SELECT 1');
			res.json({ status: 'ready' });
		} catch {
			res.status(503).json({ error: { code: 'database_unavailable', message: 'The database is not reachable.' } });
		}
	});

	return app;
}
