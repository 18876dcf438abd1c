-- Campaign controls and the staff report (issue 15): a campaign has a status of its own
-- (scheduled → running ⇄ paused → completed / failed / cancelled) with the reason in plain words,
-- an optional start time, and an unguessable report token: the staff report page is
-- /reports/<token>, readable by whoever holds the link and by nobody else.
ALTER TABLE campaigns
	ADD COLUMN status text NOT NULL DEFAULT 'running'
		CHECK (status IN ('scheduled', 'running', 'paused', 'completed', 'failed', 'cancelled')),
	ADD COLUMN status_reason text,
	ADD COLUMN status_changed_at timestamptz NOT NULL DEFAULT now(),
	ADD COLUMN scheduled_at timestamptz,
	-- Two random UUIDs without dashes: 244 random bits.
	ADD COLUMN report_token text NOT NULL UNIQUE
		DEFAULT replace(gen_random_uuid()::text, '-', '') || replace(gen_random_uuid()::text, '-', '');

-- Campaigns created before this migration: settled ones are completed, the rest keep running.
UPDATE campaigns c SET status = 'completed'
WHERE NOT EXISTS (SELECT 1 FROM campaign_recipients r WHERE r.campaign_id = c.id AND r.state IN ('pending', 'claimed'));

CREATE INDEX campaigns_scheduled_idx ON campaigns (scheduled_at) WHERE status = 'scheduled';
