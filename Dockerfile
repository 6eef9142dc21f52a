# syntax=docker/dockerfile:1
# Build stage: compile TypeScript with the dev dependencies.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

# Runtime stage: production dependencies, compiled code, rules and ValueSets; runs as the unprivileged node user.
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    SPINE_CDS_MODE=production \
    PORT=8080
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies as built in the build stage (better-sqlite3 is a native module compiled there).
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY rules ./rules
COPY fhir-profiles ./fhir-profiles
COPY README.md LICENSE ./
# The embedded ledger's folder (SPINE_CDS_DATA_DIR), used when no SPINE_CDS_DATABASE_URL is set: mount a volume here.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/src/server.js"]
