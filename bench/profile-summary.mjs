// Summarises the profiles `BENCH_PROFILE=<dir> npm run bench:campaign` writes:
//   node bench/profile-summary.mjs <dir>/ours-1000.cpuprofile [<dir>/ours-1000.heapprofile] [--top 25]
// CPU: self and inclusive time per function and per area (our package, an npm package, Node itself,
// GC). Heap: live bytes (sampled) by allocating function and area, and inclusive by function.
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const topAt = args.indexOf('--top');
const TOP = topAt >= 0 ? Number(args.splice(topAt, 2)[1]) : 25;

/** Where a frame's code lives: our package (file), an npm package, Node's internals, or V8. */
function areaOf(frame) {
	const url = frame.url ?? '';
	if (!url) return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
	const ours = url.match(/n8n-nodes-tiltedprompts\/dist\/(.*)$/);
	if (ours) return `ours:${ours[1]}`;
	const pkg = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/);
	if (pkg) return pkg[1];
	if (url.startsWith('node:')) return url;
	return url.replace(/^file:\/\//, '');
}

const label = (frame) =>
	`${frame.functionName || '(anonymous)'} ${areaOf(frame)}:${frame.lineNumber + 1}`.replace(/ \(\w[^)]*\):0$/, '');

function table(title, map, total, unit, fmt) {
	const rows = [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, TOP);
	console.log(`\n## ${title} (total ${fmt(total)} ${unit})`);
	for (const [key, value] of rows)
		console.log(`${fmt(value).padStart(9)} ${unit} ${((value / total) * 100).toFixed(1).padStart(5)} %  ${key}`);
}

function add(map, key, value) {
	map.set(key, (map.get(key) ?? 0) + value);
}

function summariseCpu(path) {
	const profile = JSON.parse(readFileSync(path, 'utf8'));
	const byId = new Map(profile.nodes.map((n) => [n.id, n]));
	const parent = new Map();
	for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
	const self = new Map();
	const areas = new Map();
	const inclusive = new Map();
	let total = 0;
	profile.samples.forEach((id, i) => {
		const ms = (profile.timeDeltas[i] ?? 0) / 1000;
		const node = byId.get(id);
		if (node.callFrame.functionName === '(idle)') return;
		total += ms;
		add(self, label(node.callFrame), ms);
		add(areas, areaOf(node.callFrame), ms);
		const seen = new Set();
		for (let at = id; at !== undefined; at = parent.get(at)) {
			const key = label(byId.get(at).callFrame);
			if (!seen.has(key)) add(inclusive, key, ms);
			seen.add(key);
		}
	});
	const fmt = (ms) => ms.toFixed(0);
	console.log(
		`# CPU ${path}: ${fmt(total)} ms busy over ${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s`,
	);
	table('CPU self time by area', areas, total, 'ms', fmt);
	table('CPU self time by function', self, total, 'ms', fmt);
	table('CPU inclusive time by function', inclusive, total, 'ms', fmt);
}

function summariseHeap(path) {
	const { head } = JSON.parse(readFileSync(path, 'utf8'));
	const self = new Map();
	const areas = new Map();
	const inclusive = new Map();
	let total = 0;
	const walk = (node, stack) => {
		const key = label(node.callFrame);
		const fresh = !stack.has(key);
		if (fresh) stack.add(key);
		if (node.selfSize) {
			total += node.selfSize;
			add(self, key, node.selfSize);
			add(areas, areaOf(node.callFrame), node.selfSize);
			for (const k of stack) add(inclusive, k, node.selfSize);
		}
		for (const child of node.children) walk(child, stack);
		if (fresh) stack.delete(key);
	};
	walk(head, new Set());
	const fmt = (bytes) => (bytes / 1024 / 1024).toFixed(1);
	console.log(`\n# Heap ${path}: ${fmt(total)} MB live (sampled)`);
	table('Live heap by area', areas, total, 'MB', fmt);
	table('Live heap by allocating function', self, total, 'MB', fmt);
	table('Live heap inclusive by function', inclusive, total, 'MB', fmt);
}

for (const path of args) {
	if (path.endsWith('.cpuprofile')) summariseCpu(path);
	else summariseHeap(path);
}
