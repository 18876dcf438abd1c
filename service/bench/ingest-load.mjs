// Load generator for `npm run bench:ingest`, run as its own process so it does not share an event
// loop with what it measures. Sends WhatsApp status webhooks, each with a new wamid (so nothing is
// deduplicated away), signed over the exact bytes like Meta does. Prints one JSON line of results.
// argv[2]: JSON { url, secret, connections, duration, overallRate?, prefix, generator? }
//   generator "autocannon" (default): builds and signs each request as it goes; holds a fixed rate.
//   generator "wrk" (wrk.mjs): every request is built and signed before the run, then wrk sends
//   them, at far less CPU per request on the shared cores; for most-throughput runs (it cannot hold
//   a fixed rate). The file holds BENCH_WRK_REQUESTS_PER_S (20,000) × duration requests; a run that
//   sends them all before its time is up fails (`exhausted`) rather than send a body twice.
import { createHmac } from 'node:crypto';
import autocannon from 'autocannon';
import { statusWebhookBody } from './status-webhook.mjs';
import { presignedWrk } from './wrk.mjs';

const WRK_REQUESTS_PER_S = Number(process.env.BENCH_WRK_REQUESTS_PER_S ?? 20000);
const options = JSON.parse(process.argv[2]);
let sequence = 0;

function nextRequest() {
	const body = statusWebhookBody(`wamid.${options.prefix}.${++sequence}`);
	const signature = `sha256=${createHmac('sha256', options.secret).update(body).digest('hex')}`;
	return { body, signature };
}

async function withAutocannon() {
	const result = await autocannon({
		url: options.url,
		connections: options.connections,
		duration: options.duration,
		...(options.overallRate ? { overallRate: options.overallRate } : {}),
		timeout: 30,
		requests: [
			{
				method: 'POST',
				setupRequest(request) {
					const { body, signature } = nextRequest();
					return {
						...request,
						body,
						headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
					};
				},
			},
		],
	});
	return {
		ok: result['2xx'],
		non2xx: result.non2xx,
		errors: result.errors,
		timeouts: result.timeouts,
		seconds: result.duration,
		sent: sequence,
		p50_ms: result.latency.p50,
		p90_ms: result.latency.p90,
		p99_ms: result.latency.p99,
		max_ms: result.latency.max,
		rps: result.requests.average,
	};
}

async function withWrk() {
	const { result } = await presignedWrk({
		url: options.url,
		connections: options.connections,
		seconds: options.duration,
		count: Math.ceil(WRK_REQUESTS_PER_S * options.duration),
		make: nextRequest,
	});
	const r = await result;
	if (r.exhausted)
		throw new Error(
			`wrk sent all ${r.sent} prepared requests before the ${options.duration} s were up: raise BENCH_WRK_REQUESTS_PER_S`,
		);
	const ms = (us) => Math.round(us / 10) / 100;
	const seconds = r.duration_us / 1e6;
	const ok = r.completed - r.status_errors;
	return {
		ok,
		non2xx: r.status_errors,
		errors: r.socket_errors,
		timeouts: r.timeouts,
		seconds,
		sent: r.sent,
		p50_ms: ms(r.p50_us),
		p90_ms: ms(r.p90_us),
		p99_ms: ms(r.p99_us),
		max_ms: ms(r.max_us),
		rps: ok / seconds,
	};
}

const result = options.generator === 'wrk' ? await withWrk() : await withAutocannon();
process.stdout.write(`${JSON.stringify({ generator: options.generator ?? 'autocannon', ...result })}\n`);
