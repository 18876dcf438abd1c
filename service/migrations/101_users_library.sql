-- Users and the tier-gated content library, protected by row-level security (GUIDE §4):
-- authenticated users read non-premium assets; only `pro` users read premium ones; nobody changes
-- their own tier; service_role bypasses RLS. anon reads nothing.

CREATE TABLE users (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	email text NOT NULL,
	tier text NOT NULL DEFAULT 'free' CHECK (tier IN ('free', 'pro')),
	stripe_customer_id text UNIQUE,
	display_name text,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE library_assets (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	-- Stable key of an asset inside its bundles: re-ingesting a bundle updates, never duplicates.
	slug text NOT NULL UNIQUE,
	type text NOT NULL,
	title text NOT NULL,
	content jsonb NOT NULL,
	tags text[] NOT NULL DEFAULT '{}',
	is_premium boolean NOT NULL DEFAULT false,
	source_bundle text,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX library_assets_type_idx ON library_assets (type);
CREATE INDEX library_assets_tags_idx ON library_assets USING gin (tags);

-- The caller's tier, read with the definer's rights so policies need no access to other users' rows.
CREATE FUNCTION public.current_user_tier() RETURNS text
	LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$
	SELECT u.tier FROM public.users u WHERE u.id = auth.uid()
$$;
REVOKE ALL ON FUNCTION public.current_user_tier() FROM public;
GRANT EXECUTE ON FUNCTION public.current_user_tier() TO anon, authenticated, service_role;

ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE library_assets ENABLE ROW LEVEL SECURITY;

-- Supabase grants table privileges to anon/authenticated by default: start from nothing.
REVOKE ALL ON users, library_assets FROM anon, authenticated;
GRANT SELECT ON library_assets TO anon, authenticated;
GRANT SELECT ON users TO authenticated;
-- Column privileges: a user may edit their display name, never their tier, email or billing id.
GRANT UPDATE (display_name) ON users TO authenticated;
GRANT ALL ON users, library_assets TO service_role;

CREATE POLICY users_select_own ON users FOR SELECT TO authenticated USING (id = auth.uid());
CREATE POLICY users_update_own ON users FOR UPDATE TO authenticated
	USING (id = auth.uid()) WITH CHECK (id = auth.uid());

CREATE POLICY library_assets_read_free ON library_assets FOR SELECT TO authenticated
	USING (NOT is_premium);
CREATE POLICY library_assets_read_premium ON library_assets FOR SELECT TO authenticated
	USING (is_premium AND public.current_user_tier() = 'pro');

-- Belt and braces: even a role with column rights cannot change a tier unless it bypasses RLS
-- (service_role) or owns the table (the service's own connection).
CREATE FUNCTION public.users_guard_tier() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.tier IS DISTINCT FROM OLD.tier AND current_user IN ('anon', 'authenticated') THEN
		RAISE EXCEPTION 'users cannot change their own tier' USING ERRCODE = 'insufficient_privilege';
	END IF;
	NEW.updated_at := now();
	RETURN NEW;
END
$$;
CREATE TRIGGER users_guard_tier BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION public.users_guard_tier();
