// The users/keys CLI: the new id or key alone on the last stdout line; errors on stderr with a
// non-zero exit; keys it creates authenticate, revoked ones do not.
import type { TestDatabase } from '../../../test/helpers/postgres';
import { authenticate } from '../../src/access/repository';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli';
import { migratedDatabase } from './helpers';

// Generous: the machine may be busy; nothing here asserts timing.
jest.setTimeout(30_000);

let db: TestDatabase;

async function run(...args: string[]): Promise<{ code: number; out: string[]; err: string }> {
	const out: string[] = [];
	const err: string[] = [];
	const code = await runCli(args, { DATABASE_URL: db.url }, { out: (l) => out.push(l), err: (l) => err.push(l) });
	return { code, out, err: err.join('\n') };
}

beforeAll(async () => {
	db = await migratedDatabase('api_cli');
});
afterAll(async () => {
	await db.drop();
});

describe('service CLI', () => {
	it('creates users and keys, printing the id / key alone on the last line', async () => {
		const user = await run('users', 'create', '--email', 'Shop@Example.com', '--tier', 'pro');
		expect(user.code).toBe(0);
		const userId = user.out.at(-1)!;
		expect(userId).toMatch(/^[0-9a-f-]{36}$/);
		const key = await run('keys', 'create', '--user', 'shop@example.com', '--scopes', 'library:read,contacts');
		expect(key.code).toBe(0);
		const apiKey = key.out.at(-1)!;
		expect(apiKey).toMatch(/^tp_[A-Za-z0-9_-]{32}$/);
		expect(await authenticate(db.pool, apiKey)).toMatchObject({
			userId,
			tier: 'pro',
			scopes: ['library:read', 'contacts'],
		});

		const list = await run('keys', 'list', '--user', 'shop@example.com');
		expect(list.out.join('\n')).toContain(apiKey.slice(0, 9));
		expect(list.out.join('\n')).not.toContain(apiKey);

		const keyId = (await db.pool.query('SELECT id FROM api_keys')).rows[0].id;
		const revoked = await run('keys', 'revoke', keyId);
		expect(revoked.code).toBe(0);
		expect(revoked.out.at(-1)).toBe(keyId);
		expect(await authenticate(db.pool, apiKey)).toBeUndefined();
	});

	it('explains mistakes on stderr with a non-zero exit code', async () => {
		const dup = await run('users', 'create', '--email', 'shop@example.com');
		expect(dup.code).toBe(1);
		expect(dup.err).toMatch(/already exists/);
		const scope = await run('keys', 'create', '--user', 'shop@example.com', '--scopes', 'admin');
		expect(scope.code).toBe(1);
		expect(scope.err).toMatch(/Unknown scope\(s\): admin/);
		const missing = await run('keys', 'create', '--user', 'nobody@example.com', '--scopes', 'contacts');
		expect(missing.code).toBe(2);
		expect(missing.err).toMatch(/No user "nobody@example.com"/);
		const tier = await run('users', 'create', '--email', 'x@example.com', '--tier', 'gold');
		expect(tier.code).toBe(2);
		expect((await run('frobnicate')).code).toBe(2);
		expect((await run('users', 'list')).out.join('\n')).toMatch(/Shop@Example.com/);
	});

	describe('which database', () => {
		const dir = mkdtempSync(join(tmpdir(), 'tp-cli-'));
		afterAll(() => rmSync(dir, { recursive: true, force: true }));
		const runWith = async (env: NodeJS.ProcessEnv, ...args: string[]) => {
			const out: string[] = [];
			const err: string[] = [];
			const code = await runCli(args, env, { out: (l) => out.push(l), err: (l) => err.push(l) });
			return { code, out, err: err.join('\n') };
		};

		it('uses the database npm start wrote to the stack file, and says so', async () => {
			const file = join(dir, 'stack.env');
			writeFileSync(file, `# written by npm start\nDATABASE_URL=${db.url}\nSERVICE_URL=http://127.0.0.1:3000\n`);
			const made = await runWith({ TILTEDPROMPTS_STACK_ENV: file }, 'users', 'create', '--email', 'stack@example.com');
			expect(made.code).toBe(0);
			expect(made.err).toContain(`(from ${file}, written by npm start)`);
			expect((await db.pool.query('SELECT id FROM users WHERE email = $1', ['stack@example.com'])).rows[0].id).toBe(
				made.out.at(-1),
			);
		});

		it('prefers DATABASE_URL and never prints its password', async () => {
			const url = new URL(db.url);
			url.password = 'hunter2-secret';
			const used = await runWith(
				{ DATABASE_URL: url.toString(), TILTEDPROMPTS_STACK_ENV: join(dir, 'stack.env') },
				'users',
				'list',
			);
			expect(used.err).toMatch(/^Database: postgres(ql)?:\/\/[^@]*@.* \(from DATABASE_URL\)/);
			expect(used.err).not.toContain('hunter2-secret');
		});

		it('without either, refuses and says how to point it, starting no database of its own', async () => {
			const none = await runWith({ TILTEDPROMPTS_STACK_ENV: join(dir, 'missing.env') }, 'users', 'list');
			expect(none.code).toBe(2);
			expect(none.err).toContain('No database to use');
			expect(none.err).toContain('npm start');
			expect(none.err).toContain('DATABASE_URL=postgres://');
			expect(none.out).toEqual([]);
		});

		it('names the database and the fix when it cannot be reached', async () => {
			const file = join(dir, 'stale.env');
			writeFileSync(file, 'DATABASE_URL=postgres://postgres@127.0.0.1:1/tiltedprompts\n');
			const down = await runWith({ TILTEDPROMPTS_STACK_ENV: file }, 'users', 'list');
			expect(down.code).toBe(1);
			expect(down.err).toMatch(
				/Could not use the database postgres:\/\/postgres@127\.0\.0\.1:1\/tiltedprompts: .* is "npm start" running\?/,
			);
		});
	});
});
