// `npm start` supervises three parts (Postgres, the service, n8n). This is its decision, without
// I/O: when a part ends while the stack is meant to run, say which part, how it ended and where its
// log is, in one line, and stop the whole stack with a non-zero exit code (never a half-running
// stack). A part ending while the stack is stopping on purpose (Ctrl-C) is expected.
'use strict';

const PARTS = ['Postgres', 'service', 'n8n'];
/** In sandbox mode the Meta sandbox is a part too. */
const SANDBOX_PART = 'Meta sandbox';

/**
 * @param {string} part one of PARTS
 * @param {{ code: number | null, signal: string | null }} ended how the process ended
 * @param {{ stopping: boolean, logFile: string, parts?: string[] }} state (parts: those running, default PARTS)
 * @returns {null | { exitCode: number, message: string }} null: nothing to do
 */
function partEnded(part, ended, state) {
	const parts = state.parts ?? PARTS;
	if (!parts.includes(part)) throw new Error(`unknown part "${part}" (expected one of ${parts.join(', ')})`);
	if (state.stopping) return null;
	const how = ended.signal
		? `was killed by ${ended.signal}`
		: ended.code === null
			? 'ended'
			: `exited with code ${ended.code}`;
	const rest = parts.filter((p) => p !== part);
	const others = rest.length > 1 ? `${rest.slice(0, -1).join(', ')} and ${rest[rest.length - 1]}` : rest.join('');
	return {
		exitCode: 1,
		message: `✖ ${part} ${how} (log: ${state.logFile}); stopping ${others} too.`,
	};
}

module.exports = { PARTS, SANDBOX_PART, partEnded };
