import { partEnded } from '../../../scripts/lib/supervise';

describe('npm start supervision', () => {
	it('stops the whole stack, non-zero, when the service exits on its own', () => {
		expect(
			partEnded('service', { code: 1, signal: null }, { stopping: false, logFile: '.data/logs/service.log' }),
		).toEqual({
			exitCode: 1,
			message: '✖ service exited with code 1 (log: .data/logs/service.log); stopping Postgres and n8n too.',
		});
	});

	it('says which signal killed a part', () => {
		expect(
			partEnded('Postgres', { code: null, signal: 'SIGKILL' }, { stopping: false, logFile: '.data/logs/postgres.log' })
				?.message,
		).toBe('✖ Postgres was killed by SIGKILL (log: .data/logs/postgres.log); stopping service and n8n too.');
	});

	it('treats even a clean exit of a part as the stack failing', () => {
		expect(partEnded('n8n', { code: 0, signal: null }, { stopping: false, logFile: 'n8n.log' })?.exitCode).toBe(1);
	});

	it('expects parts to end while the stack is stopping on purpose', () => {
		expect(partEnded('service', { code: 0, signal: null }, { stopping: true, logFile: 'service.log' })).toBeNull();
		expect(partEnded('n8n', { code: null, signal: 'SIGTERM' }, { stopping: true, logFile: 'n8n.log' })).toBeNull();
	});

	it('refuses a part it does not know', () => {
		expect(() => partEnded('redis', { code: 1, signal: null }, { stopping: false, logFile: 'x' })).toThrow(
			/unknown part "redis"/,
		);
	});
});

describe('npm start supervision in sandbox mode', () => {
	it('names the Meta sandbox and stops the other three parts', () => {
		expect(
			partEnded(
				'Meta sandbox',
				{ code: 1, signal: null },
				{ stopping: false, logFile: '.data/logs/sandbox.log', parts: ['Postgres', 'service', 'n8n', 'Meta sandbox'] },
			)?.message,
		).toBe('✖ Meta sandbox exited with code 1 (log: .data/logs/sandbox.log); stopping Postgres, service and n8n too.');
	});
});
