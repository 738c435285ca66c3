# syntax=docker/dockerfile:1
# One image for the API, the worker and migrations (docs/deployment.md). Untested here: the machine
# that wrote it had no Docker engine (see README, "Production").
ARG NODE_VERSION=24.21.0

FROM node:${NODE_VERSION}-bookworm-slim AS base
ENV PNPM_HOME=/pnpm PATH=/pnpm:$PATH CI=true
RUN npm install -g pnpm@10.34.9
WORKDIR /app

# Everything installed and both browser apps built (apps/web/dist, apps/admin/dist).
FROM base AS build
COPY . .
RUN pnpm install --frozen-lockfile
RUN pnpm build

# Production dependencies of the API and the packages it uses; the server runs from its TypeScript
# sources on Node 24 (no server build step), with the built apps beside it for SERVE_APPS.
FROM base AS runtime
COPY . .
RUN pnpm install --frozen-lockfile --prod --filter "@lectern/api..." \
  && rm -rf apps/web/src apps/admin/src /root/.cache /root/.local/share/pnpm
COPY --from=build /app/apps/web/dist apps/web/dist
COPY --from=build /app/apps/admin/dist apps/admin/dist
RUN chown -R node:node /app
USER node
ENV NODE_ENV=production API_HOST=0.0.0.0 API_PORT=3000 SERVE_APPS=true WORKER_IN_PROCESS=false
EXPOSE 3000
# The API's readiness; a container running the worker should disable it (compose.yaml does).
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.API_PORT||3000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
WORKDIR /app/apps/api
# The worker: `node src/worker.ts`; migrations: `node src/cli/migrate.ts` in /app/packages/db.
CMD ["node", "src/main.ts"]
