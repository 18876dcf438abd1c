-- Campaign ledger (issue 4): the audience is snapshotted at creation (opted-in contacts only); each
-- recipient is claimed at most once (FOR UPDATE SKIP LOCKED) and moves through
-- pending → claimed → sent → delivered → read, or failed / skipped / unknown.
CREATE TABLE campaigns (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	name text NOT NULL,
	template_name text NOT NULL,
	template_language text NOT NULL,
	parameters jsonb NOT NULL DEFAULT '[]',
	audience jsonb NOT NULL,
	-- Contacts matching the audience filter but not opted in at the snapshot, by reason.
	skipped_at_snapshot jsonb NOT NULL DEFAULT '{}',
	-- A re-submitted form or re-run workflow passing the same key gets the same campaign back.
	idempotency_key text UNIQUE,
	created_by uuid REFERENCES users (id) ON DELETE SET NULL,
	created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE campaign_recipients (
	id bigserial PRIMARY KEY,
	campaign_id uuid NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
	-- Null after the contact's erasure (the row stays, anonymous, so the report's counts stay true).
	contact_id uuid REFERENCES contacts (id) ON DELETE SET NULL,
	wa_id text,
	state text NOT NULL DEFAULT 'pending'
		CHECK (state IN ('pending', 'claimed', 'sent', 'delivered', 'read', 'failed', 'skipped', 'unknown')),
	skip_reason text,
	claimed_at timestamptz,
	claim_count integer NOT NULL DEFAULT 0,
	wamid text,
	error_code integer,
	error_title text,
	error_details text,
	fbtrace_id text,
	sent_at timestamptz,
	delivered_at timestamptz,
	read_at timestamptz,
	failed_at timestamptz,
	updated_at timestamptz NOT NULL DEFAULT now(),
	UNIQUE (campaign_id, wa_id)
);
CREATE INDEX campaign_recipients_pending_idx ON campaign_recipients (campaign_id, id) WHERE state IN ('pending', 'unknown');
CREATE INDEX campaign_recipients_claimed_idx ON campaign_recipients (claimed_at) WHERE state = 'claimed';
CREATE INDEX campaign_recipients_wamid_idx ON campaign_recipients (wamid) WHERE wamid IS NOT NULL;
CREATE INDEX campaign_recipients_contact_idx ON campaign_recipients (contact_id);

ALTER TABLE campaigns ENABLE ROW LEVEL SECURITY;
ALTER TABLE campaign_recipients ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON campaigns, campaign_recipients FROM anon, authenticated;
GRANT ALL ON campaigns, campaign_recipients TO service_role;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO service_role;
