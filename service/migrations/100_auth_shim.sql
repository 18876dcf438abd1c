-- Supabase-compatible roles and `auth` helpers (GUIDE §4). On Supabase everything here already exists
-- and is left alone; on plain PostgreSQL this creates the small shim that our policies need, so the
-- same row-level security protects Supabase's REST API and our service.

-- Roles are cluster-wide: two databases migrating at once may race; the loser finds the role made.
DO $$
DECLARE
	wanted text[][] := ARRAY[['anon', 'NOLOGIN NOINHERIT'], ['authenticated', 'NOLOGIN NOINHERIT'], ['service_role', 'NOLOGIN NOINHERIT BYPASSRLS']];
	i int;
BEGIN
	FOR i IN 1 .. array_length(wanted, 1) LOOP
		IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = wanted[i][1]) THEN
			BEGIN
				EXECUTE format('CREATE ROLE %I %s', wanted[i][1], wanted[i][2]);
			EXCEPTION WHEN duplicate_object OR unique_violation THEN
				NULL;
			END;
		END IF;
	END LOOP;
END
$$;

-- The service's own login role switches to these roles with SET LOCAL ROLE, as PostgREST's
-- authenticator does. A superuser needs no membership; anyone else does.
DO $$
BEGIN
	IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
		EXECUTE format('GRANT anon, authenticated, service_role TO %I', current_user);
	END IF;
EXCEPTION WHEN insufficient_privilege THEN
	RAISE NOTICE 'cannot grant anon/authenticated/service_role to %; grant them by hand', current_user;
END
$$;

CREATE SCHEMA IF NOT EXISTS auth;
-- On Supabase the auth schema belongs to another role and these grants already exist.
DO $$
BEGIN
	GRANT USAGE ON SCHEMA auth TO anon, authenticated, service_role;
EXCEPTION WHEN insufficient_privilege THEN
	RAISE NOTICE 'auth schema is not ours (Supabase): keeping its grants';
END
$$;

-- The claims PostgREST puts in `request.jwt.claims` (and, in old versions, `request.jwt.claim.sub`).
DO $$
BEGIN
	IF to_regprocedure('auth.uid()') IS NULL THEN
		CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS $fn$
			SELECT coalesce(
				nullif(current_setting('request.jwt.claim.sub', true), ''),
				nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub'
			)::uuid
		$fn$;
	END IF;
	IF to_regprocedure('auth.role()') IS NULL THEN
		CREATE FUNCTION auth.role() RETURNS text LANGUAGE sql STABLE AS $fn$
			SELECT coalesce(
				nullif(current_setting('request.jwt.claim.role', true), ''),
				nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role'
			)::text
		$fn$;
	END IF;
	IF to_regprocedure('auth.jwt()') IS NULL THEN
		CREATE FUNCTION auth.jwt() RETURNS jsonb LANGUAGE sql STABLE AS $fn$
			SELECT coalesce(nullif(current_setting('request.jwt.claims', true), ''), '{}')::jsonb
		$fn$;
	END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO anon, authenticated, service_role;
