#!/bin/sh
# First start of the Postgres container only (docker-entrypoint-initdb.d): n8n gets its own role and
# database, and cannot connect to the service's database (contacts, consent, secrets live there).
# Names can be overridden (tests do); compose uses the defaults.
set -eu
export N8N_DB_NAME="${N8N_DB_NAME:-n8n}"
export N8N_DB_USER="${N8N_DB_USER:-n8n}"
: "${N8N_DB_PASSWORD:?N8N_DB_PASSWORD is required}"
export N8N_DB_PASSWORD

# The password is read from the environment (\getenv), never put on a command line.
psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'SQL'
\getenv n8n_db N8N_DB_NAME
\getenv n8n_user N8N_DB_USER
\getenv n8n_password N8N_DB_PASSWORD
\getenv service_db POSTGRES_DB
CREATE ROLE :"n8n_user" LOGIN PASSWORD :'n8n_password';
CREATE DATABASE :"n8n_db" OWNER :"n8n_user";
REVOKE ALL ON DATABASE :"n8n_db" FROM PUBLIC;
REVOKE ALL ON DATABASE :"service_db" FROM PUBLIC;
SQL
