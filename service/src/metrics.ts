// Prometheus metrics (GET /metrics). One registry per app, so several apps (tests) never collide.
// Other modules add their own metrics to `registry`.
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
	registry: Registry;
	/** Requests by route (the Express pattern, never the raw URL), method and status. */
	httpRequests: Counter<'route' | 'method' | 'status'>;
	httpDuration: Histogram<'route' | 'method'>;
	/** Signatures refused, by source (meta, ingest) and reason. */
	signatureFailures: Counter<'source' | 'reason'>;
	/** Events already stored (redeliveries), by source. */
	duplicates: Counter<'source'>;
	eventsStored: Counter<'source'>;
	/** Time of one event-store transaction (may hold several payloads). */
	eventStoreSeconds: Histogram<'source'>;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
	const registry = new Registry();
	if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
	return {
		registry,
		httpRequests: new Counter({
			name: 'http_requests_total',
			help: 'HTTP requests by route, method and status.',
			labelNames: ['route', 'method', 'status'],
			registers: [registry],
		}),
		httpDuration: new Histogram({
			name: 'http_request_duration_seconds',
			help: 'HTTP request duration by route and method.',
			labelNames: ['route', 'method'],
			buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
			registers: [registry],
		}),
		signatureFailures: new Counter({
			name: 'signature_failures_total',
			help: 'Refused signatures by source and reason.',
			labelNames: ['source', 'reason'],
			registers: [registry],
		}),
		duplicates: new Counter({
			name: 'events_duplicate_total',
			help: 'Events received again and not stored twice, by source.',
			labelNames: ['source'],
			registers: [registry],
		}),
		eventsStored: new Counter({
			name: 'events_stored_total',
			help: 'Events newly stored, by source.',
			labelNames: ['source'],
			registers: [registry],
		}),
		eventStoreSeconds: new Histogram({
			name: 'event_store_duration_seconds',
			help: 'Duration of one event-store transaction.',
			labelNames: ['source'],
			buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
			registers: [registry],
		}),
	};
}
