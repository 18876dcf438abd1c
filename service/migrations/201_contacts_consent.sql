-- Contacts keyed by WhatsApp id (E.164 digits) with consent and its history (issue 4).
-- `id` is a random subject id: after an erasure the consent history keeps only it, which links to
-- nothing any more (an anonymized record that a consent existed and was withdrawn/erased).
CREATE TABLE contacts (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	wa_id text NOT NULL UNIQUE CHECK (wa_id ~ '^[1-9][0-9]{7,14}$'),
	name text,
	tags text[] NOT NULL DEFAULT '{}',
	consent text NOT NULL DEFAULT 'unknown' CHECK (consent IN ('opted_in', 'opted_out', 'unknown')),
	consent_source text,
	consent_updated_at timestamptz,
	last_inbound_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX contacts_tags_idx ON contacts USING gin (tags);
CREATE INDEX contacts_consent_idx ON contacts (consent);

CREATE TABLE consent_events (
	id bigserial PRIMARY KEY,
	subject_id uuid NOT NULL,
	consent text NOT NULL CHECK (consent IN ('opted_in', 'opted_out', 'unknown', 'erased')),
	-- api | import | keyword | erasure
	source text NOT NULL,
	-- The inbound WhatsApp message id for keyword changes; free text (e.g. "checkout form") otherwise.
	-- Both are cleared on erasure.
	message_id text,
	note text,
	occurred_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX consent_events_subject_idx ON consent_events (subject_id, occurred_at);
-- A redelivered STOP message never records a second change.
CREATE UNIQUE INDEX consent_events_message_idx ON consent_events (message_id) WHERE message_id IS NOT NULL AND source = 'keyword';

ALTER TABLE contacts ENABLE ROW LEVEL SECURITY;
ALTER TABLE consent_events ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON contacts, consent_events FROM anon, authenticated;
GRANT ALL ON contacts, consent_events TO service_role;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO service_role;
