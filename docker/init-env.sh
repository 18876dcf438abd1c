#!/bin/sh
# Writes docker/.env (or the path given) from docker/.env.example, with every generated secret filled
# in by `openssl rand`. Refuses to overwrite an existing file: losing N8N_ENCRYPTION_KEY or
# ENCRYPTION_KEYS makes stored credentials unreadable.
#   sh docker/init-env.sh [output file]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-"$here/.env"}
if [ -e "$out" ]; then
	echo "$out already exists; not overwriting it." >&2
	exit 1
fi
command -v openssl >/dev/null 2>&1 || { echo "openssl is required." >&2; exit 1; }

hex() { openssl rand -hex "$1"; }
b64() { openssl rand -base64 "$1" | tr -d '\n'; }

umask 077
sed \
	-e "s|^POSTGRES_PASSWORD=\$|POSTGRES_PASSWORD=$(hex 32)|" \
	-e "s|^N8N_DB_PASSWORD=\$|N8N_DB_PASSWORD=$(hex 32)|" \
	-e "s|^N8N_ENCRYPTION_KEY=\$|N8N_ENCRYPTION_KEY=$(hex 32)|" \
	-e "s|^REDIS_PASSWORD=\$|REDIS_PASSWORD=$(hex 32)|" \
	-e "s|^META_VERIFY_TOKEN=\$|META_VERIFY_TOKEN=$(hex 24)|" \
	-e "s|^INGEST_SIGNING_SECRETS=\$|INGEST_SIGNING_SECRETS=whsec_$(b64 32)|" \
	-e "s|^ENCRYPTION_KEYS=\$|ENCRYPTION_KEYS=k1:$(b64 32)|" \
	"$here/.env.example" >"$out"

echo "Wrote $out with generated secrets. Now set DOMAIN, ACME_EMAIL and META_APP_SECRETS in it." >&2
