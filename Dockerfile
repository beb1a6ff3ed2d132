# Loa in a container: Debian (bookworm) with Node 22, a non-root user, the database on a volume.
#
#   docker build -t loa .
#   docker run -d --name loa --env-file .env -v loa-data:/data -p 127.0.0.1:3000:3000 loa
#
# (.env from .env.example leaves LOA_HTTP_HOST, LOA_DATA_DIR, LOA_CONTENT_DIR and LOA_BOT commented
# out: set there, they would override the ENV below. Verified on Node 20 without a Docker engine
# by scripts/verify-image-rootfs.sh; docs/deploy.md, "How the image was verified"; on Node 22 as
# "Node 22 in the image" there says.)
#
# or `docker compose up -d` with compose.yaml (and its Caddy proxy). Guide: docs/deploy.md.

# Node 22, not 20: Node 20 gets no security fixes after 30 April 2026, and this image takes
# messages from the Internet. Node 22 is maintained until 30 April 2027; `engines` allows 22.12
# and later, which the tag's current 22.x is. Rebuild with --pull now and then to take its fixes.
# Why it is safe to move (docs/deploy.md, "Node 22 in the image"): better-sqlite3 12 supports it
# (compiled from source against Node 22.23.5 and run; the suite's files run on it).

# --- dependencies: npm ci with better-sqlite3's native module (prebuilt, or compiled here) ---
FROM node:22-bookworm-slim AS deps
WORKDIR /app
# The toolchain is only needed when no prebuilt better-sqlite3 binary fits; it stays in this stage.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev \
 && node -e "require('better-sqlite3')(':memory:').prepare('select 1').get()" \
 && npm cache clean --force

# --- runtime --- (the same Node as the deps stage: better-sqlite3's module is built for one Node ABI)
FROM node:22-bookworm-slim
# TZ: Loa computes schedules in Vietnam time whatever the zone; this only makes the log's and
# `loa doctor`'s clock match the office's (otherwise doctor warns that the process runs in UTC).
ENV NODE_ENV=production \
    TZ=Asia/Ho_Chi_Minh \
    LOA_HTTP_HOST=0.0.0.0 \
    LOA_HTTP_PORT=3000 \
    LOA_DATA_DIR=/data \
    LOA_CONTENT_DIR=/app/content \
    LOA_BOT=/app/bots/default.yaml
WORKDIR /app
# A fixed uid/gid, so that a content/ folder mounted from the host can be given to it
# (chown -R 10001:10001 content): the admin pages write edited content back as files.
RUN groupadd --system --gid 10001 loa \
 && useradd --system --uid 10001 --gid loa --home-dir /app --no-create-home --shell /usr/sbin/nologin loa \
 && mkdir -p /data \
 && chown loa:loa /data
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY bin ./bin
COPY src ./src
# The compiled copy of src/ that `loa` starts from (bin/compiled.js), made once here: the user
# loa cannot write /app, and without it every start would compile the TypeScript through tsx.
# It matches the sources by their contents, so it stays valid when the image is pushed and
# pulled (layers keep file times only to the second); `loa doctor` says if it ever does not.
RUN node --input-type=module -e "import { compiledCopy } from './bin/compiled.js'; const r = await compiledCopy('/app'); if (!r.dist) { console.error('dist/ not made:', r.reason, r.detail || ''); process.exit(1); }"
# The shipped sample content and bot YAML; mount your own over them (compose.yaml does).
COPY --chown=loa:loa content ./content
COPY bots ./bots
USER loa
VOLUME ["/data"]
EXPOSE 3000
# /healthz answers 200 once the server listens; start-up can take a while on a large content set.
HEALTHCHECK --interval=30s --timeout=5s --start-period=90s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.LOA_HTTP_PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself, not npm: SIGTERM from `docker stop` reaches Loa, which drains and stops cleanly.
CMD ["node", "bin/loa.js", "start"]
