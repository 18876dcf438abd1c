# syntax=docker/dockerfile:1
# n8n with n8n-nodes-tiltedprompts installed as a community package, and the workflow templates ready
# for import. Build from the repository root:
#   docker build -f docker/n8n.Dockerfile -t tiltedprompts-n8n .
# The same image runs every n8n process: main (`n8n start`), `webhook` and `worker` (queue mode).

# ---- package: build and pack this repository's node package, exactly what `npm publish` ships ----
# Its first steps are service.Dockerfile's, word for word: the builder reuses that `npm ci` layer.
FROM node:24.21.0-bookworm-slim AS package
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY service/package.json service/
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json gulpfile.js ./
COPY nodes nodes
COPY credentials credentials
RUN npm run build \
	&& mkdir /out \
	&& npm pack --pack-destination /out --loglevel=error \
	&& mv /out/n8n-nodes-tiltedprompts-*.tgz /out/n8n-nodes-tiltedprompts.tgz

# ---- n8n: the official image of the version our end-to-end tests run (scripts/lib/n8n.js) ----
FROM n8nio/n8n:2.40.7
USER node
# n8n's user folder; community packages live in $N8N_USER_FOLDER/.n8n/nodes. It is not a volume in
# docker/compose.yml (n8n keeps its state in Postgres), so a new image always brings its package.
ENV N8N_USER_FOLDER=/home/node
ARG PACKAGE_TARBALL=/opt/tiltedprompts/n8n-nodes-tiltedprompts.tgz
COPY --from=package /out/n8n-nodes-tiltedprompts.tgz ${PACKAGE_TARBALL}
# Install it as n8n installs a community package, with the command of the e2e harness
# (installPackage in scripts/lib/n8n.js; test/unit/deploy checks that the two agree):
# --legacy-peer-deps: n8n provides the peer n8n-workflow; --ignore-scripts: the package has none.
RUN set -eu; \
	nodes="$N8N_USER_FOLDER/.n8n/nodes"; \
	mkdir -p "$nodes"; \
	cd "$nodes"; \
	test -f package.json || printf '%s\n' '{"name":"installed-nodes","private":true,"dependencies":{}}' > package.json; \
	npm install "$PACKAGE_TARBALL" --legacy-peer-deps --ignore-scripts --no-audit --no-fund --loglevel=error
# The templates, for `n8n import:workflow --separate --input=/opt/tiltedprompts/workflows`.
COPY workflows /opt/tiltedprompts/workflows
