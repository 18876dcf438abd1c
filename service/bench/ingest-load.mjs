// Load generator for `npm run bench:ingest`, run as its own process so it does not share an event
// loop with what it measures. Sends WhatsApp status webhooks, each with a new wamid (so nothing is
// deduplicated away), signed over the exact bytes like Meta does. Prints autocannon's result as JSON.
// argv[2]: JSON { url, secret, connections, duration, overallRate?, prefix }
import { createHmac } from 'node:crypto';
import autocannon from 'autocannon';
import { statusWebhookBody } from './status-webhook.mjs';

const options = JSON.parse(process.argv[2]);
let sequence = 0;

function nextRequest() {
	const body = statusWebhookBody(`wamid.${options.prefix}.${++sequence}`);
	const signature = `sha256=${createHmac('sha256', options.secret).update(body).digest('hex')}`;
	return { body, signature };
}

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
				return { ...request, body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature } };
			},
		},
	],
});
process.stdout.write(
	`${JSON.stringify({
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
	})}\n`,
);
