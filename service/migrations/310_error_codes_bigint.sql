-- Meta's error codes are stored as Meta sent them: a code beyond the 32-bit range (in a status
-- webhook or a campaign result) must neither roll back a webhook batch nor fail a request.
ALTER TABLE campaign_recipients ALTER COLUMN error_code TYPE bigint;
