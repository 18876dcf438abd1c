-- The event store: raw signed payloads as received, and the normalized events derived from them,
-- each deduplicated (Meta redelivers for days). Plus the idempotency ledger of bundle ingestion and
-- the rate-limit counters shared by all service instances. Only the service (table owner or
-- service_role) touches these tables: RLS on, no policies, no grants to anon/authenticated.

CREATE TABLE webhook_payloads (
	id bigserial PRIMARY KEY,
	source text NOT NULL,
	body_sha256 bytea NOT NULL UNIQUE,
	raw_body bytea NOT NULL,
	received_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE events (
	id bigserial PRIMARY KEY,
	type text NOT NULL,
	-- Meta's identity of the event (wamid + status, comment id, …): the deduplication key.
	dedupe_key text NOT NULL UNIQUE,
	occurred_at timestamptz NOT NULL,
	received_at timestamptz NOT NULL DEFAULT now(),
	payload_id bigint REFERENCES webhook_payloads (id),
	payload jsonb NOT NULL
);
CREATE INDEX events_type_received_idx ON events (type, received_at);

CREATE TABLE ingest_requests (
	webhook_id text PRIMARY KEY,
	signing_key_id text NOT NULL,
	body_sha256 bytea NOT NULL,
	status_code integer NOT NULL,
	response jsonb NOT NULL,
	received_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE rate_limit_counters (
	key text PRIMARY KEY,
	window_start_ms bigint NOT NULL,
	hits integer NOT NULL
);

ALTER TABLE webhook_payloads ENABLE ROW LEVEL SECURITY;
ALTER TABLE events ENABLE ROW LEVEL SECURITY;
ALTER TABLE ingest_requests ENABLE ROW LEVEL SECURITY;
ALTER TABLE rate_limit_counters ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON webhook_payloads, events, ingest_requests, rate_limit_counters FROM anon, authenticated;
GRANT ALL ON webhook_payloads, events, ingest_requests, rate_limit_counters TO service_role;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO service_role;
