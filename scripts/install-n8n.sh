#!/usr/bin/env bash
# Installs the real n8n used by `npm start` and the e2e tests into a cache folder outside the
# checkout (GUIDE §3), only when it is missing. Prints the folder on its last line.
set -euo pipefail
N8N_VERSION="${N8N_VERSION:-2.40.7}"
DIR="${TP_N8N_RUNTIME:-${XDG_CACHE_HOME:-$HOME/.cache}/n8n-nodes-tiltedprompts/n8n-$N8N_VERSION}"
if [ -f "$DIR/.installed" ] && [ -f "$DIR/node_modules/n8n/bin/n8n" ]; then
  echo "$DIR"
  exit 0
fi
echo "Installing n8n $N8N_VERSION into $DIR (first time only, ~2.8 GB, a few minutes)…" >&2
mkdir -p "$DIR"
cd "$DIR"
rm -f .installed
cat > package.json <<JSON
{
  "name": "tiltedprompts-n8n-runtime",
  "private": true,
  "dependencies": { "n8n": "$N8N_VERSION" },
  "overrides": { "linkedom": "0.18.12" }
}
JSON
# --ignore-scripts: a Kafka native build fails offline and nothing we need is lost (GUIDE §3).
npm install --ignore-scripts --no-audit --no-fund --loglevel=error >&2
touch .installed
echo "n8n $N8N_VERSION installed." >&2
echo "$DIR"
