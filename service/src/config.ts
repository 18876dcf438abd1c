// Service configuration from the environment, validated once at start (a clear message naming the
// missing or invalid variable). Every variable is documented in the README.
import { z } from 'zod';

const schema = z.object({
	PORT: z.coerce.number().int().min(0).max(65535).default(3000),
	HOST: z.string().default('0.0.0.0'),
	DATABASE_URL: z.string().url().optional(),
	SERVICE_DATA_DIR: z.string().default('.data/service-postgres'),
	LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = z.infer<typeof schema>;

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
	const result = schema.safeParse(env);
	if (!result.success) {
		const lines = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
		throw new ConfigError(`Invalid service configuration:\n${lines.join('\n')}`);
	}
	return result.data;
}
