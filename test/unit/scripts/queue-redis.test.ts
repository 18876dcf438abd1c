// The queue launcher's Redis (Debian's redis-server): reachable on loopback only with its password,
// which never appears on a command line (`ps` shows command lines to every user of the machine).
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedis, type RedisServer } from '../../../scripts/lib/queue-stack';

/** Sends RESP commands and returns Redis's first reply line per command. */
function send(redis: RedisServer, commands: string[][]): Promise<string[]> {
	return new Promise((resolve, reject) => {
		const socket = connect({ host: redis.host, port: redis.port });
		let reply = '';
		socket.on('error', reject);
		socket.on('data', (chunk) => {
			reply += String(chunk);
			const lines = reply.split('\r\n').filter((line) => /^[+-]/.test(line));
			if (lines.length >= commands.length) {
				socket.destroy();
				resolve(lines);
			}
		});
		const arg = (s: string) => `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
		socket.write(commands.map((c) => `*${c.length}\r\n${c.map(arg).join('')}`).join(''));
	});
}

describe('queue launcher: Redis', () => {
	let dir: string;
	let redis: RedisServer;

	beforeAll(async () => {
		dir = mkdtempSync(join(tmpdir(), 'tp-redis-'));
		redis = await startRedis({ dir });
	});

	afterAll(async () => {
		await redis?.stop();
		rmSync(dir, { recursive: true, force: true });
	});

	it('answers only with its password', async () => {
		expect(await send(redis, [['PING']])).toEqual([expect.stringMatching(/^-NOAUTH/)]);
		expect(await send(redis, [['AUTH', 'not-the-password'], ['PING']])).toEqual([
			expect.stringMatching(/^-WRONGPASS/),
			expect.stringMatching(/^-NOAUTH/),
		]);
		expect(await send(redis, [['AUTH', redis.password], ['PING']])).toEqual(['+OK', '+PONG']);
		expect(redis.host).toBe('127.0.0.1');
	});

	it('keeps the password off its command line, in a file only its owner reads', () => {
		expect(redis.child.spawnargs.join(' ')).not.toContain(redis.password);
		const conf = join(dir, 'redis.conf');
		expect(redis.child.spawnargs).toContain(conf);
		expect(statSync(conf).mode & 0o077).toBe(0);
		expect(readFileSync(conf, 'utf8')).toContain(`requirepass ${redis.password}`);
	});

	it('stops when asked', async () => {
		await redis.stop();
		expect(redis.child.exitCode !== null || redis.child.signalCode !== null).toBe(true);
		await expect(send(redis, [['PING']])).rejects.toThrow(/ECONNREFUSED/);
	});
});
