// express-rate-limit store backed by Postgres (table rate_limit_counters): fixed windows on the
// database clock, so every service instance shares one limit per key.
import type { ClientRateLimitInfo, Options, Store } from 'express-rate-limit';
import type { Pool } from 'pg';
import { windowReset } from '../core/rate-limit';

export class PostgresRateLimitStore implements Store {
	windowMs = 60_000;
	readonly localKeys = false;

	constructor(
		private readonly pool: Pool,
		readonly prefix = 'rl:',
	) {}

	init(options: Options): void {
		this.windowMs = options.windowMs;
	}

	async increment(key: string): Promise<ClientRateLimitInfo> {
		const { rows } = await this.pool.query<{ hits: number; window_start_ms: string }>(
			`WITH now AS (SELECT (floor(extract(epoch FROM clock_timestamp()) * 1000 / $2) * $2)::bigint AS start)
			 INSERT INTO rate_limit_counters AS c (key, window_start_ms, hits)
			 SELECT $1, now.start, 1 FROM now
			 ON CONFLICT (key) DO UPDATE SET
			   hits = CASE WHEN c.window_start_ms = EXCLUDED.window_start_ms THEN c.hits + 1 ELSE 1 END,
			   window_start_ms = EXCLUDED.window_start_ms
			 RETURNING hits, window_start_ms`,
			[this.prefix + key, this.windowMs],
		);
		const row = rows[0];
		return { totalHits: row.hits, resetTime: new Date(windowReset(Number(row.window_start_ms), this.windowMs)) };
	}

	async get(key: string): Promise<ClientRateLimitInfo | undefined> {
		const { rows } = await this.pool.query<{ hits: number; window_start_ms: string }>(
			'SELECT hits, window_start_ms FROM rate_limit_counters WHERE key = $1',
			[this.prefix + key],
		);
		const row = rows[0];
		if (!row) return undefined;
		return { totalHits: row.hits, resetTime: new Date(windowReset(Number(row.window_start_ms), this.windowMs)) };
	}

	async decrement(key: string): Promise<void> {
		await this.pool.query('UPDATE rate_limit_counters SET hits = greatest(hits - 1, 0) WHERE key = $1', [
			this.prefix + key,
		]);
	}

	async resetKey(key: string): Promise<void> {
		await this.pool.query('DELETE FROM rate_limit_counters WHERE key = $1', [this.prefix + key]);
	}
}
