// pino JSON logs. Secrets and bodies never go to the log: headers that carry credentials are redacted.
import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string = 'info', destination?: DestinationStream): Logger {
	const options: pino.LoggerOptions = {
		level,
		base: { service: 'tiltedprompts' },
		redact: {
			paths: [
				'req.headers.authorization',
				'req.headers["x-hub-signature-256"]',
				'req.headers["webhook-signature"]',
				'req.headers.cookie',
				'*.secret',
				'*.secrets',
				'*.token',
			],
			censor: '[redacted]',
		},
	};
	return destination ? pino(options, destination) : pino(options);
}
