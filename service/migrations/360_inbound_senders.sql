-- The people of a simple batch of inbound messages, recorded from inside the event store's insert
-- statement (src/consent/people-fold.ts): a batch whose people need nothing more is then one
-- statement, with no BEGIN and COMMIT round trips.
--
-- `senders`: one JSON object per person (wa_id, user_id, parent_user_id, username, name, at); no
-- identifier appears twice. A person no contact knows becomes a contact. A person exactly one contact
-- knows, and whose identifiers that contact already has, moves its last_inbound_at forward. Anything
-- else (two records of one person, identifiers to complete, two people naming one contact, a contact
-- created meanwhile) raises SQLSTATE TPF01: the statement rolls back whole and the service writes the
-- batch again, the people resolved one by one in a transaction (src/consent/signals.ts).
--
-- The two statements that read contacts (the lookup, and the update of known people) are dynamic
-- SQL, planned for each call with the identifiers at hand like the service's own queries: a plan
-- kept from when the contacts table was small would scan all of it. The rest works on the call's
-- JSON and plans once.
CREATE FUNCTION tp_record_inbound_senders(senders jsonb) RETURNS bigint
LANGUAGE plpgsql
AS $fn$
DECLARE
	wa_ids text[];
	user_ids text[];
	known jsonb;
	cases bigint;
	moved_ids uuid[];
	moved_at timestamptz[];
BEGIN
	IF senders IS NULL OR jsonb_array_length(senders) = 0 THEN
		RETURN 0;
	END IF;
	SELECT coalesce(array_agg(s->>'wa_id') FILTER (WHERE s->>'wa_id' IS NOT NULL), '{}'),
		coalesce(array_agg(s->>'user_id') FILTER (WHERE s->>'user_id' IS NOT NULL), '{}')
	INTO wa_ids, user_ids
	FROM jsonb_array_elements(senders) AS s;

	-- Locked in the order every writer of contacts locks them (src/consent/people.ts, findContacts).
	EXECUTE $q$
		SELECT coalesce(jsonb_agg(to_jsonb(k)), '[]') FROM (
			SELECT id, wa_id, user_id, former_user_ids, parent_user_id, username, name, last_inbound_at FROM contacts
			WHERE wa_id = ANY ($1) OR user_id = ANY ($2) OR former_user_ids && $2
			ORDER BY created_at, id FOR UPDATE) AS k$q$
	INTO known USING wa_ids, user_ids;

	-- `covered`: the contact already has every identifier the message shows.
	WITH people AS (
		SELECT row_number() OVER () AS ord, p.*
		FROM jsonb_to_recordset(senders)
			AS p(wa_id text, user_id text, parent_user_id text, username text, name text, at timestamptz)
	),
	k AS (
		SELECT * FROM jsonb_to_recordset(known) AS k(id uuid, wa_id text, user_id text, former_user_ids text[],
			parent_user_id text, username text, name text, last_inbound_at timestamptz)
	),
	matched AS (
		SELECT p.ord, p.at, k.id AS contact_id, k.last_inbound_at, coalesce(
			(p.wa_id IS NULL OR k.wa_id IS NOT NULL)
			AND (p.user_id IS NULL OR p.user_id = k.user_id OR p.user_id = ANY (k.former_user_ids))
			AND (p.parent_user_id IS NULL OR p.parent_user_id = k.parent_user_id)
			AND (p.username IS NULL OR p.username = k.username)
			AND (p.name IS NULL OR k.name IS NOT NULL), false) AS covered
		FROM people p JOIN k ON k.wa_id = p.wa_id OR k.user_id = p.user_id OR p.user_id = ANY (k.former_user_ids)
	),
	fresh AS (
		SELECT p.* FROM people p WHERE NOT EXISTS (SELECT 1 FROM matched m WHERE m.ord = p.ord)
	),
	inserted AS (
		INSERT INTO contacts (wa_id, user_id, parent_user_id, username, name, last_inbound_at)
		SELECT wa_id, user_id, parent_user_id, username, name, at FROM fresh ORDER BY ord
		ON CONFLICT DO NOTHING RETURNING id
	)
	SELECT (SELECT count(*) FROM matched WHERE NOT covered)
		+ (SELECT count(*) FROM (SELECT ord FROM matched GROUP BY ord HAVING count(*) > 1) AS two_records)
		+ (SELECT count(*) FROM (SELECT contact_id FROM matched GROUP BY contact_id HAVING count(*) > 1) AS one_record)
		+ (SELECT count(*) FROM fresh) - (SELECT count(*) FROM inserted),
		array_agg(contact_id ORDER BY contact_id), array_agg(at ORDER BY contact_id)
	INTO cases, moved_ids, moved_at
	FROM matched WHERE covered AND (last_inbound_at IS NULL OR last_inbound_at < at);
	IF cases > 0 THEN
		RAISE EXCEPTION 'the people of this batch need the transaction path (% cases)', cases USING ERRCODE = 'TPF01';
	END IF;
	IF moved_ids IS NOT NULL THEN
		EXECUTE $q$
			UPDATE contacts c SET last_inbound_at = m.at, updated_at = now()
			FROM unnest($1::uuid[], $2::timestamptz[]) AS m(id, at)
			WHERE c.id = m.id$q$
		USING moved_ids, moved_at;
	END IF;
	RETURN 0;
END
$fn$;
