-- Retention (issue 11): the service removes succeeded deliveries, raw webhook payloads, ingest request
-- records and rate-limit counters past their retention, in small batches (src/retention/sweeper.ts).
-- Each sweep reads the oldest rows by time, so every table gets an index on that time.
CREATE INDEX webhook_payloads_received_idx ON webhook_payloads (received_at);
CREATE INDEX deliveries_succeeded_idx ON deliveries (succeeded_at) WHERE status = 'succeeded';
CREATE INDEX ingest_requests_received_idx ON ingest_requests (received_at);
CREATE INDEX rate_limit_counters_window_idx ON rate_limit_counters (window_start_ms);

-- An event outlives its raw payload: removing a payload clears the event's reference to it.
CREATE INDEX events_payload_idx ON events (payload_id) WHERE payload_id IS NOT NULL;
ALTER TABLE events DROP CONSTRAINT events_payload_id_fkey;
ALTER TABLE events ADD CONSTRAINT events_payload_id_fkey FOREIGN KEY (payload_id) REFERENCES webhook_payloads (id) ON DELETE SET NULL;

-- Signing secret rotation: the replaced secret keeps signing beside the new one until
-- previous_secret_expires_at (Standard Webhooks allows several signatures). Sealed like secret_sealed.
ALTER TABLE subscriptions
	ADD COLUMN previous_secret_sealed text,
	ADD COLUMN previous_secret_expires_at timestamptz,
	ADD CONSTRAINT subscriptions_previous_secret_check CHECK ((previous_secret_sealed IS NULL) = (previous_secret_expires_at IS NULL));
