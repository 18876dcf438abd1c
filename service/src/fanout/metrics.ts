// Prometheus metrics of the fan-out worker, registered on the app's registry.
import { Counter, Histogram, type Registry } from 'prom-client';
import type { FanoutWorkerOptions } from './worker';

export function fanoutMetrics(registry: Registry): NonNullable<FanoutWorkerOptions['onAttempt']> {
	const attempts = new Counter({
		name: 'fanout_attempts_total',
		help: 'Delivery attempts to subscribers, by outcome (ok, failed) and event type.',
		labelNames: ['outcome', 'event_type'],
		registers: [registry],
	});
	const duration = new Histogram({
		name: 'fanout_attempt_duration_seconds',
		help: 'Duration of one delivery attempt (request to the subscriber).',
		buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
		registers: [registry],
	});
	return ({ ok, durationMs, eventType }) => {
		attempts.inc({ outcome: ok ? 'ok' : 'failed', event_type: eventType });
		duration.observe(durationMs / 1000);
	};
}
