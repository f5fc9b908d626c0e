# starspmb: the README's steps (`npm ci`, which builds dist/, then `starspmb serve`) in an image.
# Build:  docker build -t starspmb .
# Run:    see compose.yaml (app + PostgreSQL) and docs/deploy.md.

# --- build: install every dependency, compile src/ into dist/, then drop the dev dependencies ---
FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 and argon2 are native: when no prebuilt binary fits, npm compiles them.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
# node-gyp takes Node's headers from the image instead of downloading them.
ENV npm_config_nodedir=/usr/local
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
# `npm ci` runs the prepare script, which builds dist/ (bin/build.js), exactly as on a host.
RUN npm ci && npm prune --omit=dev

# --- run: Node, the compiled app, its production dependencies, static files and site config ---
FROM node:20-bookworm-slim
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY public ./public
COPY site.config.json ./site.config.json
# DATA_DIR holds what must outlive the container (SQLite when no DATABASE_URL, the .eml outbox,
# generated keys, audit checkpoints): a volume, owned by the unprivileged user that runs the app.
RUN mkdir -p /data && chown node:node /data && chmod 0700 /data
ENV HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data
USER node
VOLUME ["/data"]
EXPOSE 3000
# Process up (cheap). A load balancer asks /readyz instead (docs/deploy.md).
HEALTHCHECK --interval=30s --timeout=3s --start-period=30s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Migrates, then serves (what `npm start` runs once dist/ is built). SIGHUP reloads the data keys.
CMD ["node", "dist/cli/main.js", "serve"]
