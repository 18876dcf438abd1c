-- Event fan-out to n8n (issue 4): subscriptions with an encrypted `whsec_` secret, and a durable
-- outbox of deliveries written in the same transaction as the event. Several service instances share
-- the outbox: a worker leases due rows with FOR UPDATE SKIP LOCKED by moving next_attempt_at ahead.
CREATE TABLE subscriptions (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	url text NOT NULL,
	event_types text[] NOT NULL CHECK (cardinality(event_types) > 0),
	description text,
	-- AES-256-GCM, "v1.<key id>.<iv>.<ciphertext>.<tag>" (see src/crypto/secret-box.ts).
	secret_sealed text NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	deleted_at timestamptz
);
CREATE INDEX subscriptions_active_idx ON subscriptions USING gin (event_types) WHERE deleted_at IS NULL;

CREATE TABLE deliveries (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	subscription_id uuid NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
	event_id bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
	event_type text NOT NULL,
	-- pending (waiting or leased) | succeeded | dead
	status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'dead')),
	attempts integer NOT NULL DEFAULT 0,
	next_attempt_at timestamptz NOT NULL DEFAULT now(),
	last_attempt_at timestamptz,
	last_status_code integer,
	last_error text,
	succeeded_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT now(),
	UNIQUE (subscription_id, event_id)
);
CREATE INDEX deliveries_due_idx ON deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_subscription_idx ON deliveries (subscription_id, created_at DESC, id DESC);

ALTER TABLE subscriptions ENABLE ROW LEVEL SECURITY;
ALTER TABLE deliveries ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON subscriptions, deliveries FROM anon, authenticated;
GRANT ALL ON subscriptions, deliveries TO service_role;
