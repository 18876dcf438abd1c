// n8n's verification scanner (@n8n/scan-community-package), run the way n8n runs it but offline:
// its `analyzePackage` on the source (package.json, nodes, credentials: SOURCE_FILE_PATTERNS) and on
// the unpacked `npm pack` tarball (compiled .js and package.json). `analyzePackageByName`, which the
// CLI calls, downloads the package and its attested source from npm and GitHub first; these tests
// hand `analyzePackage` local folders instead. The scanner is ESM, so it runs in a child Node process.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..');

interface ScanResult {
	passed: boolean;
	message?: string;
	details?: string;
}

function scan(dir: string, patterns: 'source' | 'tarball'): ScanResult {
	const script = `
		import { analyzePackage, SOURCE_FILE_PATTERNS } from '@n8n/scan-community-package/scanner/scanner.mjs';
		const patterns = ${patterns === 'source' ? 'SOURCE_FILE_PATTERNS' : "['**/*.js', 'package.json']"};
		const result = await analyzePackage(process.argv[1], patterns);
		process.stdout.write(JSON.stringify({ passed: result.passed, message: result.message, details: result.details }));
	`;
	// Without jest's NODE_ENV=test: under it eslint-plugin-n8n-nodes-base treats every file as a node file.
	const { NODE_ENV: _testEnv, ...env } = process.env;
	const out = execFileSync(process.execPath, ['--input-type=module', '-e', script, dir], {
		cwd: root,
		env,
		encoding: 'utf8',
		maxBuffer: 16 * 1024 * 1024,
	});
	return JSON.parse(out) as ScanResult;
}

let work: string;
beforeAll(() => {
	work = mkdtempSync(join(tmpdir(), 'scan-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("n8n's verification scanner", () => {
	it('passes the source: package.json, nodes and credentials', () => {
		const result = scan(root, 'source');
		expect(result.details ?? '').toBe('');
		expect(result.passed).toBe(true);
	});

	it('passes the unpacked npm pack tarball (run after npm run build)', () => {
		const packDir = join(work, 'pack');
		mkdirSync(packDir);
		const out = execFileSync('npm', ['pack', '--json', '--loglevel=error', '--pack-destination', packDir], {
			cwd: root,
			encoding: 'utf8',
		});
		const [{ filename }] = JSON.parse(out) as Array<{ filename: string }>;
		execFileSync('tar', ['-xzf', join(packDir, filename), '-C', packDir]);
		const result = scan(join(packDir, 'package'), 'tarball');
		expect(result.details ?? '').toBe('');
		expect(result.passed).toBe(true);
	});

	it("fails a package that breaks n8n's rules (a node using setTimeout and process.env)", () => {
		const bad = join(work, 'bad');
		mkdirSync(join(bad, 'nodes', 'Bad'), { recursive: true });
		cpSync(join(root, 'package.json'), join(bad, 'package.json'));
		writeFileSync(
			join(bad, 'nodes', 'Bad', 'Bad.node.ts'),
			'export const wait = () => setTimeout(() => process.env.SECRET, 10);\n',
		);
		const result = scan(bad, 'source');
		expect(result.passed).toBe(false);
		expect(result.details).toMatch(/setTimeout|process/);
	});
});
