// The running stack's addresses, written by `npm start` to .data/stack.env so the service CLI
// (`npm run service -- users create …`) uses the same database as the running service.
'use strict';

const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

const STACK_ENV_FILE = 'stack.env';

/**
 * @param {string} dataDir the stack's data folder (.data)
 * @param {{ databaseUrl: string, serviceUrl: string, n8nUrl: string }} stack
 * @returns {string} the file written
 */
function writeStackEnv(dataDir, stack) {
	const file = join(dataDir, STACK_ENV_FILE);
	const lines = [
		'# Written by npm start on every start: the running stack. The service CLI reads DATABASE_URL from here.',
		`DATABASE_URL=${stack.databaseUrl}`,
		`SERVICE_URL=${stack.serviceUrl}`,
		`N8N_URL=${stack.n8nUrl}`,
	];
	writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
	return file;
}

module.exports = { STACK_ENV_FILE, writeStackEnv };
