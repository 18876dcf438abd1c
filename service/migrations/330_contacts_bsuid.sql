-- WhatsApp usernames and business-scoped user IDs (issue 13). A contact is a person known by a phone
-- number (`wa_id`), a BSUID (`user_id`), or both; `username` is for display only (it can change).
-- Contacts created by phone before this change keep every value they had.
ALTER TABLE contacts ALTER COLUMN wa_id DROP NOT NULL;
ALTER TABLE contacts
	-- The BSUID Meta gives this person for our business portfolio: "CC.<alphanumerics>".
	ADD COLUMN user_id text UNIQUE CHECK (user_id ~ '^[A-Z]{2}\.[A-Za-z0-9]{1,128}$'),
	-- The parent BSUID of a managed portfolio ("CC.ENT.<alphanumerics>"), when Meta sends one.
	ADD COLUMN parent_user_id text CHECK (parent_user_id ~ '^[A-Z]{2}\.ENT\.[A-Za-z0-9]{1,128}$'),
	ADD COLUMN username text,
	-- BSUIDs this person had before a phone-number change (a late webhook may still carry one).
	ADD COLUMN former_user_ids text[] NOT NULL DEFAULT '{}',
	ADD CONSTRAINT contacts_identified CHECK (wa_id IS NOT NULL OR user_id IS NOT NULL);
CREATE INDEX contacts_former_user_ids_idx ON contacts USING gin (former_user_ids);
-- The listing order (phone numbers first, then BSUID-only people); unique because the two formats
-- never collide.
CREATE UNIQUE INDEX contacts_list_key_idx ON contacts ((coalesce(wa_id, user_id)));

-- Campaign ledgers keep the BSUID next to the number; `held_by_meta` is Meta's 131049 (a marketing
-- message held back for this person for now: not retried in this campaign, not an opt-out).
ALTER TABLE campaign_recipients ADD COLUMN user_id text;
ALTER TABLE campaign_recipients ADD CONSTRAINT campaign_recipients_campaign_user_id_key UNIQUE (campaign_id, user_id);
ALTER TABLE campaign_recipients DROP CONSTRAINT campaign_recipients_state_check;
ALTER TABLE campaign_recipients ADD CONSTRAINT campaign_recipients_state_check
	CHECK (state IN ('pending', 'claimed', 'sent', 'delivered', 'read', 'failed', 'skipped', 'unknown', 'held_by_meta'));
CREATE INDEX campaign_recipients_user_id_idx ON campaign_recipients (user_id) WHERE user_id IS NOT NULL;
