-- Shared send budget per WhatsApp phone number (issue 16): every bulk send of a number, in any n8n
-- execution or worker, takes its send permits from one token bucket here, so the number's combined
-- rate at Meta stays under its throughput. Times are microseconds since the epoch on the database
-- clock (one clock for every service replica). See src/core/send-budget.ts for the maths.
CREATE TABLE send_budgets (
	phone_number_id text PRIMARY KEY CHECK (phone_number_id ~ '^[0-9]{1,30}$'),
	-- GCRA: the time of the next free permit.
	tat_us bigint NOT NULL DEFAULT 0,
	rate_per_second double precision NOT NULL CHECK (rate_per_second > 0),
	updated_at timestamptz NOT NULL DEFAULT now()
);

-- Leases of permits, kept while in force (fair shares between campaigns) and a little after.
CREATE TABLE send_budget_leases (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	phone_number_id text NOT NULL REFERENCES send_budgets (phone_number_id) ON DELETE CASCADE,
	campaign text NOT NULL,
	granted integer NOT NULL CHECK (granted > 0),
	first_us bigint NOT NULL,
	interval_us bigint NOT NULL CHECK (interval_us > 0),
	expires_us bigint NOT NULL
);
CREATE INDEX send_budget_leases_number_idx ON send_budget_leases (phone_number_id, expires_us);

-- Pair spacing shared the same way: the latest reserved send time per (number, recipient).
CREATE TABLE send_pair_slots (
	phone_number_id text NOT NULL CHECK (phone_number_id ~ '^[0-9]{1,30}$'),
	recipient text NOT NULL,
	last_us bigint NOT NULL,
	PRIMARY KEY (phone_number_id, recipient)
);
CREATE INDEX send_pair_slots_last_idx ON send_pair_slots (last_us);
