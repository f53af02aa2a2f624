# syntax=docker/dockerfile:1
# One image for every service of the city graph; the command picks the service:
#   gateway:  node --import tsx gateway/src/index.ts          (the image's default)
#   subgraph: node --import tsx subgraphs/<name>/src/index.ts
# TypeScript runs through tsx, as in development (docs/decisions/0004), so the
# image carries the sources and production dependencies only: no dev tools,
# no tests, no embedded database data.

# Stage 1: production dependencies, installed exactly as the lockfile says.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund \
  && npm cache clean --force

# Stage 2 (optional gate, `docker build --target check .`): type check and
# tests with the dev dependencies, without shipping them.
FROM node:20-bookworm-slim AS check
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx tsc --noEmit

# Stage 3: the runtime, as the unprivileged `node` user (uid 1000).
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    BIND_HOST=0.0.0.0 \
    NODE_OPTIONS=--enable-source-maps
WORKDIR /app
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --chown=root:root package.json package-lock.json tsconfig.json supergraph.yaml supergraph.graphql ./
COPY --chown=root:root lib ./lib
COPY --chown=root:root gateway/src ./gateway/src
COPY --chown=root:root subgraphs ./subgraphs
COPY --chown=root:root scripts ./scripts
USER node
EXPOSE 4000 4001 4002 4003 4004 4005
# Compose and Kubernetes probe /ready (dependencies) and /health (process).
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.GATEWAY_PORT||4000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "--import", "tsx", "gateway/src/index.ts"]
