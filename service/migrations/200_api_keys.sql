-- API keys (issue 4): each belongs to a user, is stored as a SHA-256 hash (shown once), carries
-- scopes and can be revoked. Only the service touches this table.
CREATE TABLE api_keys (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	name text,
	-- First characters of the key, to recognise it in lists; never enough to use it.
	prefix text NOT NULL,
	key_hash bytea NOT NULL UNIQUE,
	scopes text[] NOT NULL CHECK (cardinality(scopes) > 0),
	created_at timestamptz NOT NULL DEFAULT now(),
	last_used_at timestamptz,
	revoked_at timestamptz
);
CREATE INDEX api_keys_user_idx ON api_keys (user_id);

ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON api_keys FROM anon, authenticated;
GRANT ALL ON api_keys TO service_role;
