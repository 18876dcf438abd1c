// The management CLI: `npm run service -- <command>`. Uses the running stack's database: DATABASE_URL,
// else the one `npm start` wrote to .data/stack.env; it says which on stderr, and without either it
// refuses (it never starts a database of its own, whose keys the running service would not know).
// Scripts depend on this: the new id or key is printed ALONE on the LAST line of stdout; progress and
// tables go before it, errors to stderr with a non-zero exit code.
//
//   users create --email E [--tier free|pro]        → user id
//   users list
//   users set-tier --user E --tier free|pro
//   keys create --user E --scopes a,b [--name N]    → API key (shown once)
//   keys list [--user E]
//   keys revoke <key id | prefix>                    → key id
import { existsSync, readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { Pool } from 'pg';
import { parseScopes, ScopeError, SCOPES } from './access/api-keys';
import {
	AccessError,
	createApiKey,
	createUser,
	findUser,
	listApiKeys,
	listUsers,
	revokeApiKey,
	setUserTier,
} from './access/repository';
import { DatabaseUnavailableError, isConnectionError } from './db/client';
import { migrate } from './db/migrate';

export const USAGE = `Usage: npm run service -- <command>
  users create --email <email> [--tier free|pro]     create a user; prints the user id
  users list                                          list users
  users set-tier --user <email|id> --tier free|pro    change a user's tier
  keys create --user <email|id> --scopes <a,b> [--name <label>]
                                                      create an API key; prints the key (shown once)
  keys list [--user <email|id>]                       list keys (prefix, scopes, revoked)
  keys revoke <key id|prefix>                         revoke a key
Scopes: ${SCOPES.join(', ')}
Database: DATABASE_URL, else the running stack's (.data/stack.env, written by npm start).`;

class UsageError extends Error {}

interface Io {
	out: (line: string) => void;
	err: (line: string) => void;
}

function flags(args: string[]): { positional: string[]; options: Record<string, string> } {
	const positional: string[] = [];
	const options: Record<string, string> = {};
	for (let i = 0; i < args.length; i++) {
		const arg = args[i];
		if (arg.startsWith('--')) {
			const [name, inline] = arg.slice(2).split('=', 2);
			const value = inline ?? args[++i];
			if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value.`);
			options[name] = value;
		} else positional.push(arg);
	}
	return { positional, options };
}

function need(options: Record<string, string>, name: string): string {
	const value = options[name];
	if (!value) throw new UsageError(`--${name} is required.`);
	return value;
}

function tierOf(value: string | undefined): 'free' | 'pro' {
	const tier = value ?? 'free';
	if (tier !== 'free' && tier !== 'pro') throw new UsageError(`--tier must be free or pro (got "${tier}").`);
	return tier;
}

function table(rows: Array<Record<string, unknown>>, io: Io): void {
	if (rows.length === 0) return io.out('(none)');
	const columns = Object.keys(rows[0]);
	const text = (v: unknown) =>
		v instanceof Date
			? v.toISOString()
			: Array.isArray(v)
				? v.join(',')
				: v === null || v === undefined
					? '-'
					: String(v);
	const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => text(r[c]).length)));
	io.out(columns.map((c, i) => c.padEnd(widths[i])).join('  '));
	for (const row of rows) io.out(columns.map((c, i) => text(row[c]).padEnd(widths[i])).join('  '));
}

/** Runs one command against `pool`; returns the exit code. */
export async function runCommand(pool: Pool, args: string[], io: Io): Promise<number> {
	const [group, action, ...rest] = args;
	const { positional, options } = flags(rest);
	const user = async (value: string) => {
		const found = await findUser(pool, value);
		if (!found) throw new UsageError(`No user "${value}" (create it with: users create --email ${value}).`);
		return found;
	};
	switch (`${group} ${action}`) {
		case 'users create': {
			const created = await createUser(pool, need(options, 'email'), tierOf(options.tier));
			io.err(`created user ${created.email} (${created.tier})`);
			io.out(created.id);
			return 0;
		}
		case 'users list':
			table(
				(await listUsers(pool)).map((u) => ({ id: u.id, email: u.email, tier: u.tier, created_at: u.created_at })),
				io,
			);
			return 0;
		case 'users set-tier': {
			const found = await user(need(options, 'user'));
			await setUserTier(pool, found.id, tierOf(need(options, 'tier')));
			io.out(found.id);
			return 0;
		}
		case 'keys create': {
			const found = await user(need(options, 'user'));
			const scopes = parseScopes(need(options, 'scopes'));
			const key = await createApiKey(pool, found.id, scopes, options.name);
			io.err(
				`created API key ${key.id} (${key.prefix}…) for ${found.email} with scopes ${scopes.join(',')}; it is shown only once:`,
			);
			io.out(key.key);
			return 0;
		}
		case 'keys list': {
			const owner = options.user ? (await user(options.user)).id : undefined;
			table(
				(await listApiKeys(pool, owner)).map((k) => ({
					id: k.id,
					prefix: `${k.prefix}…`,
					user: k.email,
					name: k.name,
					scopes: k.scopes,
					created_at: k.created_at,
					last_used_at: k.last_used_at,
					revoked_at: k.revoked_at,
				})),
				io,
			);
			return 0;
		}
		case 'keys revoke': {
			const target = positional[0] ?? options.key;
			if (!target) throw new UsageError('Give the key id (or its prefix) to revoke.');
			const revoked = await revokeApiKey(pool, target.replace(/…$/, ''));
			io.err(`revoked API key ${revoked.id} (${revoked.prefix}…) of ${revoked.email}`);
			io.out(revoked.id);
			return 0;
		}
		default:
			throw new UsageError(
				group ? `Unknown command "${[group, action].filter(Boolean).join(' ')}".` : 'No command given.',
			);
	}
}

/** Where `npm start` writes the running stack's addresses: TILTEDPROMPTS_STACK_ENV, else .data/stack.env here or at the repository root. */
export function stackEnvCandidates(env: NodeJS.ProcessEnv, cwd = process.cwd()): string[] {
	if (env.TILTEDPROMPTS_STACK_ENV) return [resolve(cwd, env.TILTEDPROMPTS_STACK_ENV)];
	return [...new Set([resolve(cwd, '.data', 'stack.env'), resolve(__dirname, '..', '..', '.data', 'stack.env')])];
}

/** A database URL without its password, to say which database was used. */
export function describeDatabaseUrl(url: string): string {
	try {
		const parsed = new URL(url);
		if (parsed.password) parsed.password = '***';
		return parsed.toString();
	} catch {
		return '(an unparsable DATABASE_URL)';
	}
}

interface ChosenDatabase {
	url: string;
	/** Where the URL came from, for people. */
	source: string;
}

/** The database of the CLI: DATABASE_URL, else the running stack's; undefined when there is neither. */
export function chooseDatabase(env: NodeJS.ProcessEnv, cwd = process.cwd()): ChosenDatabase | undefined {
	if (env.DATABASE_URL) return { url: env.DATABASE_URL, source: 'DATABASE_URL' };
	for (const file of stackEnvCandidates(env, cwd)) {
		if (!existsSync(file)) continue;
		const line = readFileSync(file, 'utf8')
			.split('\n')
			.find((l) => l.startsWith('DATABASE_URL='));
		const shown = relative(cwd, file);
		if (line)
			return {
				url: line.slice('DATABASE_URL='.length).trim(),
				source: `${shown && !shown.startsWith('..') ? shown : file}, written by npm start`,
			};
	}
	return undefined;
}

export const NO_DATABASE = `No database to use. Either
  - start the stack with "npm start" (it writes .data/stack.env, which this command reads), or
  - point at your database: DATABASE_URL=postgres://user:password@host:5432/db npm run service -- …`;

export async function runCli(
	args: string[],
	env: NodeJS.ProcessEnv = process.env,
	io: Io = { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) },
): Promise<number> {
	if (args[0] === 'help' || args[0] === '--help' || args[0] === '-h') {
		io.out(USAGE);
		return 0;
	}
	const database = chooseDatabase(env);
	if (!database) {
		io.err(NO_DATABASE);
		return 2;
	}
	io.err(`Database: ${describeDatabaseUrl(database.url)} (from ${database.source})`);
	let pool: Pool | undefined;
	try {
		pool = new Pool({ connectionString: database.url, max: 2 });
		// A connection lost while idle is reported by the command that next needs it, not by a crash.
		pool.on('error', () => undefined);
		await migrate(pool);
		return await runCommand(pool, args, io);
	} catch (error) {
		if (error instanceof UsageError) {
			io.err(`${error.message}\n\n${USAGE}`);
			return 2;
		}
		if (error instanceof AccessError || error instanceof ScopeError) {
			io.err(error.message);
			return 1;
		}
		if (isConnectionError(error) || (error as { code?: string }).code === '3D000') {
			const hint =
				database.source === 'DATABASE_URL' ? 'check DATABASE_URL' : 'is "npm start" running? (or set DATABASE_URL)';
			const cause = error instanceof DatabaseUnavailableError ? (error.cause as Error) : (error as Error);
			io.err(
				`Could not use the database ${describeDatabaseUrl(database.url)}: ${cause?.message ?? String(cause)} — ${hint}.`,
			);
			return 1;
		}
		io.err(`Failed: ${(error as Error).message}`);
		return 1;
	} finally {
		await pool?.end().catch(() => undefined);
	}
}
