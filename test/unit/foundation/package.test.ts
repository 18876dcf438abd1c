// What n8n's community-package rules and our users see of the published package.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

describe('the published package', () => {
	it('is an n8n community package with no runtime dependencies', () => {
		expect(pkg.name).toBe('n8n-nodes-tiltedprompts');
		expect(pkg.keywords).toContain('n8n-community-node-package');
		expect(pkg.license).toBe('MIT');
		expect(pkg.dependencies ?? {}).toEqual({});
		expect(Object.keys(pkg.peerDependencies)).toEqual(['n8n-workflow']);
	});

	it('lists compiled nodes and credentials that the build produces', () => {
		const files = [...pkg.n8n.nodes, ...pkg.n8n.credentials] as string[];
		expect(files.length).toBeGreaterThanOrEqual(2);
		for (const file of files) {
			expect(file).toMatch(/^dist\/.+\.js$/);
			expect(existsSync(join(root, file))).toBe(true);
		}
	});

	it('packs only dist/, package.json, README and LICENSE', () => {
		const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--loglevel=error'], {
			cwd: root,
			encoding: 'utf8',
		});
		const [info] = JSON.parse(out) as Array<{ files: Array<{ path: string }> }>;
		const paths = info.files.map((file) => file.path);
		const outside = paths.filter(
			(path) => !path.startsWith('dist/') && !['package.json', 'README.md', 'LICENSE'].includes(path),
		);
		expect(outside).toEqual([]);
		expect(paths).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE']));
		// Icons and codex files travel with the compiled nodes.
		expect(paths.some((path) => /^dist\/nodes\/.+\.svg$/.test(path))).toBe(true);
		expect(paths.some((path) => /^dist\/nodes\/.+\.node\.json$/.test(path))).toBe(true);
	});
});
