# Charcha, one node. Build: docker build -t charcha .   Run: see docker-compose.yml.
#
# The server runs its TypeScript through tsx (a runtime dependency), not a bundle: the image
# runs exactly the files the tests ran, and paths resolved from import.meta.url (the web
# assets, the demo page) keep working. tsx compiles each file once at start (about a second).

# ---- build: every dependency, then the browser assets into dist/web ------------------------
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY client-sdk/package.json client-sdk/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# ---- production dependencies only ------------------------------------------------------------
FROM node:20-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY client-sdk/package.json client-sdk/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# ---- runtime ------------------------------------------------------------------------------
FROM node:20-slim
ENV NODE_ENV=production \
    PORT=8080 \
    HOST=0.0.0.0
WORKDIR /app
# Code and dependencies belong to root and are read-only to the user that runs them.
COPY --from=deps /app/node_modules node_modules
COPY package.json ./
COPY client-sdk/package.json client-sdk/
COPY client-sdk/src client-sdk/src
COPY server/src server/src
COPY web/demo web/demo
COPY --from=build /app/dist/web dist/web
USER node
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "--import", "tsx", "server/src/main.ts"]
