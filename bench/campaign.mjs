// `npm run bench:campaign`: a template campaign (image header, 3 body parameters, URL button) sent by
// our WhatsApp node's bulk send vs n8n's built-in WhatsApp node (n8n-nodes-base), in one real n8n
// 2.40.7 with our packed package installed, against the Graph API stand-in with 100 ms latency.
//
// Both nodes talk to https://graph.facebook.com: the n8n process resolves that host to 127.0.0.1
// (bench/hosts-preload.cjs, a per-process hosts entry) and trusts the stand-in's certificate, made
// here with openssl (NODE_EXTRA_CA_CERTS). Traffic stays on loopback.
//
// Scenarios (same items for both nodes): a number at 80 msg/s, then at 1,000 msg/s.
// Workflow per node: Webhook (answers with all items of the last node) → Split Out → WhatsApp.
// Env: BENCH_ITEMS (default 10000), BENCH_LATENCY_MS (100), BENCH_SCENARIOS ("80,1000"),
// BENCH_NODES ("ours,builtin"), BENCH_PROFILE (a folder: a CPU profile and a sampling heap profile of
// n8n per run, taken through the inspector while the campaign runs; `node bench/profile-summary.mjs`
// reads them), BENCH_N8N_NODE_OPTIONS (Node flags added to n8n's process, e.g. a GC setting).
// Progress goes to stderr; the last stdout line is one JSON object of figures.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ownerSession } from '../service/bench/n8n-reference.mjs';
import { cpuMs, rssMb } from '../service/bench/service-env.mjs';

const require = createRequire(import.meta.url);
const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..');
const ITEMS = Number(process.env.BENCH_ITEMS ?? 10000);
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 100);
const SCENARIOS = (process.env.BENCH_SCENARIOS ?? '80,1000').split(',').map(Number);
const NODES = (process.env.BENCH_NODES ?? 'ours,builtin').split(',');
const PROFILE_DIR = process.env.BENCH_PROFILE;
// Extra Node flags for n8n's process (e.g. `--max-semi-space-size=64`), after the bench's own.
const N8N_NODE_OPTIONS = process.env.BENCH_N8N_NODE_OPTIONS ?? '';
/** The stand-in's routes of a message send: ours sends MARKETING templates to /marketing_messages. */
const SEND_ROUTES = new Set(['whatsapp.messages', 'whatsapp.marketing_messages']);
const TOKEN = `bench-${randomBytes(8).toString('hex')}`;
const WABA = '102290129340398';
const PHONE = '106540352242922';
const IMAGE = 'https://cdn.example.com/posts/diwali.jpg';

const log = (msg) => process.stderr.write(`[bench:campaign] ${msg}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const round = (x, digits = 1) =>
	x === null || x === undefined || Number.isNaN(x) ? null : Math.round(x * 10 ** digits) / 10 ** digits;

/** The Meta sandbox is TypeScript: compile it next to node_modules so its imports resolve. */
function loadStandIn() {
	const out = join(ROOT, 'node_modules', '.cache', 'tp-bench-standin');
	rmSync(out, { recursive: true, force: true });
	const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
	const args = [
		tsc,
		'--outDir',
		out,
		'--rootDir',
		join(ROOT, 'sandbox'),
		'--module',
		'commonjs',
		'--moduleResolution',
		'node',
		'--target',
		'es2022',
		'--esModuleInterop',
		'--skipLibCheck',
		'--types',
		'node',
		join(ROOT, 'sandbox', 'core.ts'),
		join(ROOT, 'sandbox', 'whatsapp.ts'),
	];
	const result = spawnSync(process.execPath, args, { encoding: 'utf8' });
	if (result.status !== 0) throw new Error(`compiling the stand-in failed:\n${result.stdout}${result.stderr}`);
	process.env.META_OPENAPI_SPEC ??= join(ROOT, '..', 'shared', 'meta', 'business-messaging-api_v23.0.yaml');
	return { core: require(join(out, 'core.js')), wa: require(join(out, 'whatsapp.js')) };
}

function makeCertificate(dir) {
	const key = join(dir, 'graph.key');
	const cert = join(dir, 'graph.crt');
	// ECDSA P-256, as graph.facebook.com serves.
	execFileSync(
		'openssl',
		[
			'req',
			'-x509',
			'-newkey',
			'ec',
			'-pkeyopt',
			'ec_paramgen_curve:prime256v1',
			'-nodes',
			'-keyout',
			key,
			'-out',
			cert,
			'-days',
			'2',
			'-subj',
			'/CN=graph.facebook.com',
			'-addext',
			'subjectAltName=DNS:graph.facebook.com',
			'-addext',
			'basicConstraints=critical,CA:TRUE',
		],
		{ stdio: 'ignore' },
	);
	return { key: readFileSync(key), cert: readFileSync(cert), certPath: cert };
}

/** A Chrome DevTools Protocol session with n8n's inspector (BENCH_PROFILE). */
async function inspectorSession(port) {
	const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
	const ws = new WebSocket(targets[0].webSocketDebuggerUrl);
	await new Promise((resolve, reject) => {
		ws.onopen = resolve;
		ws.onerror = reject;
	});
	let id = 0;
	const pending = new Map();
	ws.onmessage = (event) => {
		const message = JSON.parse(String(event.data));
		const waiter = pending.get(message.id);
		if (!waiter) return;
		pending.delete(message.id);
		if (message.error) waiter.reject(new Error(`${message.error.message}`));
		else waiter.resolve(message.result);
	};
	return {
		send: (method, params = {}) =>
			new Promise((resolve, reject) => {
				pending.set(++id, { resolve, reject });
				ws.send(JSON.stringify({ id, method, params }));
			}),
		close: () => ws.close(),
	};
}

/**
 * Profiles n8n during one run: CPU (sampling every 1 ms) and live heap allocations by stack (the
 * heaviest of the samples taken every 5 s, i.e. near the peak).
 */
async function startProfiling(port) {
	const session = await inspectorSession(port);
	await session.send('Profiler.enable');
	await session.send('Profiler.setSamplingInterval', { interval: 1000 });
	await session.send('Profiler.start');
	await session.send('HeapProfiler.enable');
	await session.send('HeapProfiler.startSampling', { samplingInterval: 32768 });
	let heaviest = null;
	const memory = { heap_used_peak_mb: 0, heap_total_peak_mb: 0, external_peak_mb: 0 };
	const mb = (bytes) => Math.round(bytes / 1024 / 1024);
	const readMemory = async () => {
		const { result } = await session.send('Runtime.evaluate', {
			expression: 'JSON.stringify(process.memoryUsage())',
			returnByValue: true,
		});
		return JSON.parse(result.value);
	};
	const liveBytes = (node) => node.selfSize + node.children.reduce((sum, child) => sum + liveBytes(child), 0);
	const sample = async () => {
		const usage = await readMemory();
		memory.heap_used_peak_mb = Math.max(memory.heap_used_peak_mb, mb(usage.heapUsed));
		memory.heap_total_peak_mb = Math.max(memory.heap_total_peak_mb, mb(usage.heapTotal));
		memory.external_peak_mb = Math.max(memory.external_peak_mb, mb(usage.external));
		const { profile } = await session.send('HeapProfiler.getSamplingProfile');
		const bytes = liveBytes(profile.head);
		if (!heaviest || bytes > heaviest.bytes) heaviest = { bytes, profile };
	};
	const timer = setInterval(() => void sample().catch(() => {}), 5000);
	return async (name) => {
		clearInterval(timer);
		await sample();
		const { profile } = await session.send('Profiler.stop');
		await session.send('HeapProfiler.stopSampling');
		// What stays after a full collection: retained memory, not garbage V8 had not collected yet.
		await session.send('HeapProfiler.collectGarbage');
		const after = await readMemory();
		session.close();
		mkdirSync(PROFILE_DIR, { recursive: true });
		writeFileSync(join(PROFILE_DIR, `${name}.cpuprofile`), JSON.stringify(profile));
		writeFileSync(join(PROFILE_DIR, `${name}.heapprofile`), JSON.stringify(heaviest.profile));
		log(`profiles written to ${PROFILE_DIR}/${name}.*`);
		return { ...memory, heap_used_after_gc_mb: mb(after.heapUsed), rss_after_gc_mb: mb(after.rss) };
	};
}

/** POST without client timeouts (a 10,000-message campaign at 80/s takes over two minutes). */
function post(url, body) {
	return new Promise((resolve, reject) => {
		const data = Buffer.from(JSON.stringify(body));
		const req = httpRequest(
			url,
			{ method: 'POST', headers: { 'content-type': 'application/json', 'content-length': data.length } },
			(res) => {
				const chunks = [];
				res.on('data', (c) => chunks.push(c));
				res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
			},
		);
		req.on('error', reject);
		req.end(data);
	});
}

function workflowFor(node, path, credentialId, throughput) {
	const whatsApp =
		node === 'ours'
			? {
					parameters: {
						resource: 'message',
						operation: 'sendTemplate',
						phoneNumberId: { __rl: true, mode: 'id', value: PHONE },
						to: '={{ $json.to }}',
						template: { __rl: true, mode: 'name', value: 'new_post_image' },
						languageCode: 'en',
						headerType: 'image',
						headerMediaSource: 'link',
						headerMediaLink: IMAGE,
						bodyParameters: { parameter: [{ text: '={{ $json.name }}' }, { text: 'Masala chai' }, { text: '₹199' }] },
						buttonParameters: { button: [{ index: 0, subType: 'url', value: 'masala-chai' }] },
						sendingOptions: { throughput },
					},
					type: 'n8n-nodes-tiltedprompts.whatsApp',
					credentials: { whatsAppCloudApi: { id: credentialId, name: 'Bench WhatsApp (ours)' } },
				}
			: {
					parameters: {
						resource: 'message',
						operation: 'sendTemplate',
						phoneNumberId: PHONE,
						recipientPhoneNumber: '={{ $json.to }}',
						template: 'new_post_image|en',
						components: {
							component: [
								{ type: 'header', headerParameters: { parameter: [{ type: 'image', imageLink: IMAGE }] } },
								{
									type: 'body',
									bodyParameters: {
										parameter: [
											{ type: 'text', text: '={{ $json.name }}' },
											{ type: 'text', text: 'Masala chai' },
											{ type: 'text', text: '₹199' },
										],
									},
								},
								{
									type: 'button',
									index: 0,
									sub_type: 'url',
									buttonParameters: { parameter: { type: 'text', text: 'masala-chai' } },
								},
							],
						},
					},
					type: 'n8n-nodes-base.whatsApp',
					credentials: { whatsAppApi: { id: credentialId, name: 'Bench WhatsApp (built-in)' } },
				};
	return {
		name: `Campaign bench (${node})`,
		nodes: [
			{
				parameters: { httpMethod: 'POST', path, responseMode: 'lastNode', responseData: 'allEntries', options: {} },
				id: `c0000000-0000-4000-8000-${node === 'ours' ? '000000000001' : '000000000011'}`,
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: `c0000000-0000-4000-8000-${node === 'ours' ? '0000000000aa' : '0000000000bb'}`,
			},
			{
				parameters: { fieldToSplitOut: 'body.recipients', options: {} },
				id: `c0000000-0000-4000-8000-${node === 'ours' ? '000000000002' : '000000000012'}`,
				name: 'Split Out',
				type: 'n8n-nodes-base.splitOut',
				typeVersion: 1,
				position: [220, 0],
			},
			{
				...whatsApp,
				id: `c0000000-0000-4000-8000-${node === 'ours' ? '000000000003' : '000000000013'}`,
				name: 'WhatsApp',
				typeVersion: 1,
				position: [440, 0],
			},
		],
		connections: {
			Webhook: { main: [[{ node: 'Split Out', type: 'main', index: 0 }]] },
			'Split Out': { main: [[{ node: 'WhatsApp', type: 'main', index: 0 }]] },
		},
		settings: {
			executionOrder: 'v1',
			saveDataSuccessExecution: 'none',
			saveDataErrorExecution: 'none',
			saveManualExecutions: false,
		},
	};
}

async function main() {
	const { core, wa } = loadStandIn();
	const { startEmbeddedPostgres, freePort } = require(join(ROOT, 'service', 'dist', 'db', 'embedded.js'));
	const n8nLib = require(join(ROOT, 'scripts', 'lib', 'n8n.js'));
	const work = mkdtempSync(join(tmpdir(), 'tp-bench-campaign-'));
	chmodSync(work, 0o755);
	const tls = makeCertificate(work);
	const pg = await startEmbeddedPostgres({ dataDir: join(work, 'pg'), persistent: false });
	let server;
	try {
		const databaseUrl = await pg.ensureDatabase('n8n_campaign');
		log('packing our package and installing it into a fresh n8n user folder');
		const tarball = n8nLib.packPackage(join(work, 'pack'));
		const userFolder = join(work, 'n8n');
		mkdirSync(userFolder, { recursive: true });
		n8nLib.installPackage(userFolder, tarball);
		const runtime = n8nLib.ensureRuntime();
		const inspectPort = PROFILE_DIR ? await freePort() : undefined;
		const env = n8nLib.n8nEnv({
			userFolder,
			port: await freePort(),
			brokerPort: await freePort(),
			databaseUrl,
			encryptionKey: randomBytes(24).toString('hex'),
			listenAddress: '127.0.0.1',
			extra: {
				NODE_OPTIONS:
					`--require ${join(HERE, 'hosts-preload.cjs')} ${n8nLib.N8N_NODE_OPTIONS} ${N8N_NODE_OPTIONS}`.trim(),
				NODE_EXTRA_CA_CERTS: tls.certPath,
				EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'none',
				EXECUTIONS_DATA_SAVE_ON_ERROR: 'none',
				N8N_PAYLOAD_SIZE_MAX: '64',
				...(inspectPort
					? {
							NODE_OPTIONS:
								`--require ${join(HERE, 'hosts-preload.cjs')} --inspect=127.0.0.1:${inspectPort} ${n8nLib.N8N_NODE_OPTIONS} ${N8N_NODE_OPTIONS}`.trim(),
						}
					: {}),
			},
		});
		log('starting n8n 2.40.7');
		server = await n8nLib.startServer(runtime, env);
		const rest = await ownerSession(server.url);
		const oursCredential = await rest('POST', '/credentials', {
			name: 'Bench WhatsApp (ours)',
			type: 'whatsAppCloudApi',
			data: { accessToken: TOKEN, businessAccountId: WABA, apiVersion: 'v23.0', baseUrl: 'https://graph.facebook.com' },
		});
		const builtinCredential = await rest('POST', '/credentials', {
			name: 'Bench WhatsApp (built-in)',
			type: 'whatsAppApi',
			data: { accessToken: TOKEN, businessAccountId: WABA },
		});

		const workflows = new Map();
		const ensureWorkflow = async (node, throughput) => {
			const key = `${node}-${throughput}`;
			if (workflows.has(key)) return workflows.get(key);
			const path = `campaign-${key}`;
			const created = await rest(
				'POST',
				'/workflows',
				workflowFor(node, path, node === 'ours' ? oursCredential.id : builtinCredential.id, throughput),
			);
			await rest('POST', `/workflows/${created.id}/activate`, { versionId: created.versionId });
			const url = `${server.url}/webhook/${path}`;
			workflows.set(key, url);
			return url;
		};

		const runOne = async (node, limit, run) => {
			const graph = await core.startGraphStandIn({
				host: '127.0.0.1',
				port: 443,
				tls: { key: tls.key, cert: tls.cert },
				latencyMs: LATENCY_MS,
				validTokens: [TOKEN],
				modules: [wa.whatsapp({ mpsLimit: limit, pairRateWindowMs: 6000 })],
			});
			try {
				const url = await ensureWorkflow(node, limit);
				const recipients = Array.from({ length: ITEMS }, (_, i) => ({
					to: `91${String(7000000000 + run * 100000 + i)}`,
					name: `Customer ${i}`,
				}));
				const rssBefore = rssMb(server.child.pid);
				const cpuBefore = cpuMs(server.child.pid);
				let rssPeak = rssBefore;
				const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMb(server.child.pid) ?? 0)), 250);
				const stopProfiling = inspectPort ? await startProfiling(inspectPort) : undefined;
				log(`${node} @ ${limit} msg/s: ${ITEMS} items`);
				const started = Date.now();
				let response = await post(url, { recipients });
				for (let attempt = 0; response.status === 404 && attempt < 30; attempt++) {
					// Activation registers the webhook asynchronously; a 404 ran nothing, so ask again.
					await sleep(1000);
					response = await post(url, { recipients });
				}
				const wallS = (Date.now() - started) / 1000;
				const cpuUsed = cpuBefore === null ? null : cpuMs(server.child.pid) - cpuBefore;
				clearInterval(sampler);
				const profiled = await stopProfiling?.(`${node}-${limit}`);
				const state = graph.state.whatsapp;
				const sends = graph.requests.filter((r) => SEND_ROUTES.has(r.route));
				const accepted = state.messages;
				const codeCount = (code) => sends.filter((r) => r.response?.error?.code === code).length;
				const first = sends.length ? sends[0].at : started;
				const last = accepted.length ? Math.max(...accepted.map((m) => m.at)) : first;
				const uniqueDelivered = new Set(accepted.map((m) => m.to)).size;
				let items = [];
				try {
					const parsed = JSON.parse(response.text);
					items = Array.isArray(parsed) ? parsed : [];
				} catch {
					// an error page
				}
				const outputErrors = items.filter((i) => i.error).length;
				const userSaw130429 = items.filter((i) => i.error?.code === 130429).length;
				const span = Math.max(1, last - first);
				const serverMs = sends.reduce((sum, r) => sum + ((r.respondedAt ?? r.at) - r.at), 0);
				const result = {
					items: ITEMS,
					execution_ok: response.status === 200 && items.length === ITEMS,
					http_status: response.status,
					output_items: items.length,
					output_errors: outputErrors,
					sent: accepted.length,
					delivered_pct: round((uniqueDelivered / ITEMS) * 100, 2),
					sent_per_s: round(accepted.length > 1 ? (accepted.length / Math.max(1, last - first)) * 1000 : 0),
					delivered_per_wall_s: round(uniqueDelivered / wallS),
					requests: sends.length,
					count_130429: codeCount(130429),
					count_131056: codeCount(131056),
					user_saw_130429:
						node === 'ours' ? userSaw130429 : response.status === 200 ? userSaw130429 : codeCount(130429),
					duplicates: wa.duplicateRecipients(state),
					pair_violations: wa.pairRateViolations(state, 6000),
					invalid_requests: graph.invalidRequests().length,
					wall_s: round(wallS),
					avg_in_flight: round(serverMs / span),
					avg_server_ms: round(serverMs / Math.max(1, sends.length)),
					n8n_cpu_ms_per_item: cpuUsed === null ? null : round(cpuUsed / ITEMS, 2),
					rss_before_mb: rssBefore,
					rss_peak_mb: rssPeak,
					rss_growth_mb: rssPeak !== null && rssBefore !== null ? rssPeak - rssBefore : null,
					...(profiled ?? {}),
				};
				if (response.status !== 200) {
					result.error = response.text.slice(0, 300);
					const lines = server
						.output()
						.split('\n')
						.filter((l) => /error|fail/i.test(l));
					result.n8n_log = lines.slice(-3).join(' | ').slice(0, 600);
				}
				log(`${node} @ ${limit}: ${JSON.stringify(result)}`);
				return result;
			} finally {
				await graph.close();
				await sleep(500);
			}
		};

		const figures = { bench: 'campaign', items: ITEMS, latency_ms: LATENCY_MS };
		let run = 0;
		for (const limit of SCENARIOS) {
			const entry = {};
			for (const node of NODES) entry[node] = await runOne(node, limit, run++);
			figures[`limit_${limit}`] = entry;
		}
		const s80 = figures.limit_80?.ours ? figures.limit_80 : undefined;
		const s1000 = figures.limit_1000?.ours && figures.limit_1000?.builtin ? figures.limit_1000 : undefined;
		figures.checks = {
			...(s80
				? {
						at_80_ours_delivered_100pct: s80.ours.delivered_pct === 100,
						at_80_ours_rate_ge_97pct_of_80: s80.ours.sent_per_s >= 0.97 * 80,
						at_80_ours_no_130429_reached_user: s80.ours.user_saw_130429 === 0 && s80.ours.output_errors === 0,
						at_80_ours_zero_duplicates_and_pair_violations: s80.ours.duplicates === 0 && s80.ours.pair_violations === 0,
					}
				: {}),
			...(s1000
				? {
						at_1000_ours_rate_ge_97pct_of_builtin: s1000.ours.sent_per_s >= 0.97 * s1000.builtin.sent_per_s,
						at_1000_ratio: round(s1000.ours.sent_per_s / s1000.builtin.sent_per_s, 3),
					}
				: {}),
		};
		process.stdout.write(`${JSON.stringify(figures)}\n`);
	} finally {
		await server?.stop();
		await pg.stop();
		rmSync(work, { recursive: true, force: true });
	}
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
