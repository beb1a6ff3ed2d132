#!/usr/bin/env bash
# Replays the Dockerfile without a Docker engine, in chroots, and checks the result as a container.
#
#   sudo scripts/verify-image-rootfs.sh [WORK_DIR]      # default /work/scratch-docker; needs ~2 GB
#
# For machines with the docker client but no engine (docs/deploy.md, "How the image was
# verified"). What it does:
#
#  1. Base image: a Debian bookworm rootfs from `debootstrap --variant=minbase` (kept in
#     WORK_DIR/base and reused), with this machine's Node.js put under /usr/local the way the
#     official node:20-bookworm-slim image has it (bin/node, include/node, lib/node_modules/npm
#     and corepack, the npm/npx/corepack links, the `node` user 1000) and the image's apt sources.
#  2. Build context: a fresh `git clone` of this repository's HEAD (committed files only, as a
#     clean clone), minus what .dockerignore excludes (Docker's matching: `*` stops at `/`, a
#     pattern excludes the folder it names and everything under it, `!` re-includes).
#  3. The Dockerfile, translated instruction by instruction (FROM [AS], WORKDIR, ENV, RUN, COPY
#     [--from] [--chown], USER, VOLUME, EXPOSE, HEALTHCHECK, CMD) into operations on a copy of the
#     base rootfs per stage: RUN is `/bin/sh -c` in a chroot, in the WORKDIR, with only the
#     image's ENV (plus Docker's default PATH and HOME), as USER; COPY copies from the filtered
#     context (or from the named stage) and owns the files by root unless --chown.
#  4. The final stage started like `docker run -v loa-data:/data` would: in new network, PID and
#     mount namespaces (only loopback: no way out, as with the Bot API unreachable; the CMD is
#     PID 1, so SIGTERM reaches it only if Loa handles it), as the image's USER, with its ENV and
#     its CMD. Checked: what the image holds (no tests, docs, .env, devDependencies); the
#     compiled copy /app/dist matching the sources as the image's user sees them, also with
#     every time cut to whole seconds (a pulled image), and `loa start` with its worker threads
#     and `loa doctor` running from it with tsx taken out of the container; the first
#     admin password, /healthz, 0.0.0.0, POST /api/chat with its source, the HEALTHCHECK
#     command, `loa doctor`, `loa backup` and `loa restore` as `docker exec` would run them,
#     SIGTERM; a second start on the same volume; `--env-file .env` from .env.example; a data
#     folder owned by root; Telegram configured but unreachable (password at once, /healthz
#     503 with the reason, HEALTHCHECK failing, the web chat answering).
#  5. compose.yaml and deploy/Caddyfile against the Dockerfile and src/config.ts.
#
# Options (environment): VERIFY_NPM (npm version in the base, or `host`), VERIFY_REPO (another
# checkout), VERIFY_REUSE_STAGES=1 (re-run only the container checks on the last build).
#
# Differences from a real `docker build`, forced by this machine (printed at the start too):
#  - the base is not the node:20-bookworm-slim image from Docker Hub (unreachable here) but the
#    equivalent built above, with this machine's node binary (same version line, 20.x) and the
#    npm that Node 20 bundles (10.8.2, fetched with `npm pack`; VERIFY_NPM=host: this machine's);
#  - RUN steps get two build-time variables the Dockerfile does not set: NODE_EXTRA_CA_CERTS
#    (this network's TLS certificates, for the npm registry) and npm_config_nodedir=/usr/local
#    (node-gyp compiles better-sqlite3 against the image's own headers: neither GitHub, where its
#    prebuilt binaries are, nor nodejs.org, where node-gyp fetches headers, is reachable here).
#    A real build downloads the prebuilt binary instead; both end in the same check.
#
# Exit status 0 when every check passed; the log of each step is in WORK_DIR/logs.
set -euo pipefail

W=${1:-/work/scratch-docker}
REPO=${VERIFY_REPO:-$(cd "$(dirname "$0")/.." && pwd)}
LOGS=$W/logs
mkdir -p "$W" "$LOGS"
W=$(cd "$W" && pwd)
[ "$(id -u)" = 0 ] || { echo "run as root (debootstrap, chroot, namespaces)" >&2; exit 2; }
for t in debootstrap unshare nsenter chroot ip curl git node; do
  command -v "$t" >/dev/null || { echo "missing: $t (apt-get install debootstrap iproute2 curl)" >&2; exit 2; }
done

DEFAULT_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
HOST_CA=${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}
FAILED=0
short() { node -e 'const t = require("fs").readFileSync(0, "utf8").replace(/\n+$/, ""); console.log(t.split("\n").map((l) => [...l].slice(0, +process.argv[1]).join("")).join("\n"))' "$1"; } # UTF-8-safe cut -c
say() { printf '\n== %s\n' "$*"; }
ok() { printf '   ok: %s\n' "$*"; }
bad() { printf '   FAILED: %s\n' "$*"; FAILED=1; }

say "deviations from a real docker build: base image built here (not pulled), this machine's node $(node -v), npm ${VERIFY_NPM:-10.8.2}, RUN steps get NODE_EXTRA_CA_CERTS and npm_config_nodedir=/usr/local"

# --- 1. the base image ---------------------------------------------------------------------
BASE=$W/base
if [ ! -f "$BASE/.loa-base-done" ]; then
  say "debootstrap bookworm (minbase) into $BASE"
  if [ ! -x "$BASE/bin/sh" ]; then
    debootstrap --variant=minbase bookworm "$BASE" http://deb.debian.org/debian >"$LOGS/debootstrap.log" 2>&1
  fi
  # The image's apt sources (debian:bookworm-slim): main, updates and security.
  rm -f "$BASE/etc/apt/sources.list"
  cat >"$BASE/etc/apt/sources.list.d/debian.sources" <<'EOF'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  # Node as the official image installs it: the release tarball unpacked into /usr/local.
  NODE_BIN=$(readlink -f "$(command -v node)")
  NODE_PREFIX=$(dirname "$(dirname "$NODE_BIN")")
  install -D -m 755 "$NODE_BIN" "$BASE/usr/local/bin/node"
  mkdir -p "$BASE/usr/local/include" "$BASE/usr/local/lib/node_modules"
  cp -a "$NODE_PREFIX/include/node" "$BASE/usr/local/include/node"
  for m in npm corepack; do
    [ -d "$NODE_PREFIX/lib/node_modules/$m" ] && cp -a "$NODE_PREFIX/lib/node_modules/$m" "$BASE/usr/local/lib/node_modules/$m"
  done
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$BASE/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$BASE/usr/local/bin/npx"
  [ -d "$BASE/usr/local/lib/node_modules/corepack" ] && ln -sf ../lib/node_modules/corepack/dist/corepack.js "$BASE/usr/local/bin/corepack"
  chroot "$BASE" /bin/sh -c 'groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node' >>"$LOGS/debootstrap.log" 2>&1
  chroot "$BASE" /usr/bin/env -i /usr/local/bin/node -e 'process.exit(0)' || { echo "node does not run in the rootfs" >&2; exit 1; }
  touch "$BASE/.loa-base-done"
fi
# The image's npm: Node 20's own releases bundle npm 10.8.2 (this machine's may be newer).
# VERIFY_NPM=host keeps this machine's; another version is fetched with `npm pack`.
IMAGE_NPM=${VERIFY_NPM:-10.8.2}
if [ "$IMAGE_NPM" != host ] && [ "$(cat "$BASE/.loa-npm" 2>/dev/null)" != "$IMAGE_NPM" ]; then
  tgz=$W/npm-$IMAGE_NPM.tgz
  [ -f "$tgz" ] || (cd "$W" && npm pack --silent "npm@$IMAGE_NPM" >/dev/null)
  rm -rf "$BASE/usr/local/lib/node_modules/npm" && mkdir -p "$BASE/usr/local/lib/node_modules/npm"
  tar -xzf "$tgz" -C "$BASE/usr/local/lib/node_modules/npm" --strip-components=1 --no-same-owner
  echo "$IMAGE_NPM" >"$BASE/.loa-npm"
elif [ "$IMAGE_NPM" = host ] && [ -f "$BASE/.loa-npm" ]; then
  rm -rf "$BASE/usr/local/lib/node_modules/npm" "$BASE/.loa-npm"
  cp -a "$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")/lib/node_modules/npm" "$BASE/usr/local/lib/node_modules/npm"
fi
ok "base: $(chroot "$BASE" /bin/sh -c '. /etc/os-release; echo "$PRETTY_NAME"'), node $(chroot "$BASE" /usr/bin/env -i /usr/local/bin/node -v), npm $(chroot "$BASE" /usr/bin/env -i PATH=$DEFAULT_PATH HOME=/root npm -v)"

# --- 2. the build context --------------------------------------------------------------------
CTX=$W/context
say "build context: clean clone of $REPO at $(git -C "$REPO" rev-parse --short HEAD), filtered by .dockerignore"
rm -rf "$CTX"
git clone --quiet --no-local "$REPO" "$CTX"
node - "$CTX" <<'EOF' >"$LOGS/dockerignore.log"
// .dockerignore as Docker's patternmatcher reads it: Clean()ed patterns relative to the root,
// `*` and `?` stay within one path segment, `**` spans segments, a pattern matching a parent
// folder excludes what is under it, and the last matching pattern (`!` or not) decides.
const fs = require('node:fs'), path = require('node:path');
const root = process.argv[2];
const file = path.join(root, '.dockerignore');
const lines = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n') : [];
const pats = lines.map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).map((l) => {
  const neg = l.startsWith('!');
  let p = path.posix.normalize((neg ? l.slice(1) : l).trim()).replace(/^\/+/, '').replace(/\/+$/, '');
  let re = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '*' && p[i + 1] === '*') { re += '.*'; i++; if (p[i + 1] === '/') i++; }
    else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return { neg, text: l, re: new RegExp('^' + re + '$') };
});
const excluded = (rel) => {
  const parts = rel.split('/');
  let out = false;
  for (const p of pats) {
    for (let i = 1; i <= parts.length; i++) if (p.re.test(parts.slice(0, i).join('/'))) { out = !p.neg; break; }
  }
  return out;
};
const walk = (rel) => {
  for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
    const r = rel ? rel + '/' + e.name : e.name;
    if (e.isDirectory() && !e.isSymbolicLink()) { walk(r); if (fs.readdirSync(path.join(root, r)).length === 0 && excluded(r)) fs.rmdirSync(path.join(root, r)); }
    else if (excluded(r)) { fs.rmSync(path.join(root, r)); console.log('excluded ' + r); }
  }
};
walk('');
EOF
ok "context: $(find "$CTX" -type f | wc -l) files after .dockerignore ($(wc -l <"$LOGS/dockerignore.log") excluded; list in logs/dockerignore.log)"

# --- 3. the Dockerfile, replayed ---------------------------------------------------------------
# The Dockerfile turned into calls of the functions below, each argument quoted for the shell.
PLAN=$LOGS/plan.sh
node - "$CTX/Dockerfile" <<'EOF' >"$PLAN"
const fs = require('node:fs');
const q = (s) => "'" + String(s).replace(/'/g, "'\\''") + "'";
const text = fs.readFileSync(process.argv[2], 'utf8');
// Comment lines are dropped (even inside a continued instruction), then `\` joins lines.
const logical = [];
let cur = '';
for (const raw of text.split('\n')) {
  if (/^\s*#/.test(raw)) continue;
  if (cur === '' && raw.trim() === '') continue;
  if (/\\\s*$/.test(raw)) { cur += raw.replace(/\\\s*$/, '') + ' '; continue; }
  cur += raw; logical.push(cur.trim()); cur = '';
}
if (cur.trim()) logical.push(cur.trim());
const words = (s) => s.trim().split(/\s+/).filter(Boolean);
for (const line of logical) {
  const m = /^(\S+)\s*(.*)$/s.exec(line);
  const op = m[1].toUpperCase(); let rest = m[2];
  const flags = {};
  while (/^--[a-z-]+=\S*/.test(rest)) {
    const f = /^--([a-z-]+)=(\S*)\s*/.exec(rest); flags[f[1]] = f[2]; rest = rest.slice(f[0].length);
  }
  const exec = (s) => { try { const a = JSON.parse(s); if (Array.isArray(a)) return a; } catch {} return null; };
  switch (op) {
    case 'FROM': { const w = words(rest); console.log(`do_from ${q(w[0])} ${q(w[2] ?? '')}`); break; }
    case 'WORKDIR': console.log(`do_workdir ${q(rest.trim())}`); break;
    case 'USER': console.log(`do_user ${q(rest.trim())}`); break;
    case 'ENV': {
      const re = /([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)/g; let e;
      while ((e = re.exec(rest))) console.log(`do_env ${q(e[1])} ${q(e[2].startsWith('"') ? JSON.parse(e[2]) : e[2])}`);
      break;
    }
    case 'RUN': { const a = exec(rest); console.log(a ? `do_run_exec ${a.map(q).join(' ')}` : `do_run ${q(rest)}`); break; }
    case 'COPY': {
      const w = exec(rest) ?? words(rest);
      console.log(`do_copy ${q(flags.from ?? '')} ${q(flags.chown ?? '')} ${w.map(q).join(' ')}`);
      break;
    }
    case 'CMD': { const a = exec(rest); console.log(`do_cmd ${(a ?? ['/bin/sh', '-c', rest]).map(q).join(' ')}`); break; }
    case 'HEALTHCHECK': {
      const i = rest.search(/\bCMD\b/); const opts = [...Object.entries(flags).map(([k, v]) => `--${k}=${v}`), rest.slice(0, i).trim()].join(' ').trim(); const c = rest.slice(i + 3).trim();
      const a = exec(c); console.log(`do_healthcheck ${q(opts)} ${(a ?? ['/bin/sh', '-c', c]).map(q).join(' ')}`);
      break;
    }
    case 'VOLUME': case 'EXPOSE': console.log(`do_meta ${q(op)} ${q(rest)}`); break;
    default: console.log(`do_unsupported ${q(op)} ${q(rest)}`);
  }
}
EOF

declare -A STAGE_DIR=()
STAGE_N=0
ROOT="" WD=/ USER_SPEC="" CMD=() HC=() HC_OPTS=""
declare -A ENVV=()

env_args() { # the process environment of RUN / the container: Docker's defaults, then ENV
  local k
  printf '%s\0' "PATH=${ENVV[PATH]:-$DEFAULT_PATH}" "HOME=$1" HOSTNAME=loa-verify
  for k in "${!ENVV[@]}"; do [ "$k" = PATH ] || printf '%s\0' "$k=${ENVV[$k]}"; done
}
user_ids() { # USER name or uid[:gid] -> uid:gid, from the stage's /etc/passwd
  local u=${1%%:*} line
  line=$(awk -F: -v u="$u" '$1 == u || $3 == u' "$ROOT/etc/passwd" | head -1)
  [ -n "$line" ] || { echo "USER $1 not in /etc/passwd" >&2; return 1; }
  echo "$(cut -d: -f3 <<<"$line"):$(cut -d: -f4 <<<"$line")"
}
user_home() { awk -F: -v u="${1%%:*}" '$1 == u || $3 == u { print $6; exit }' "$ROOT/etc/passwd"; }

do_from() {
  STAGE_N=$((STAGE_N + 1))
  case $1 in node:20-bookworm-slim | node:22-bookworm-slim) ;; *) echo "FROM $1: only node:20/22-bookworm-slim are rebuilt here" >&2; exit 1 ;; esac
  # The base holds the node this machine had when it was made: say so when its line is not the tag's.
  local want=${1#node:}; want=${want%%-*}
  [ "$(chroot "$BASE" /usr/bin/env -i /usr/local/bin/node -v | cut -d. -f1 | tr -d v)" = "$want" ] ||
    bad "FROM $1 replayed with the base's node $(chroot "$BASE" /usr/bin/env -i /usr/local/bin/node -v): remake the base (rm -r WORK_DIR/base) with Node $want first in PATH"
  ROOT=$W/stage$STAGE_N
  [ -n "$2" ] && STAGE_DIR[$2]=$ROOT
  STAGE_DIR[$((STAGE_N - 1))]=$ROOT
  say "FROM $1${2:+ AS $2}  (a fresh copy of the base: $ROOT)"
  rm -rf "$ROOT"; cp -a "$BASE" "$ROOT"; rm -f "$ROOT/.loa-base-done"
  WD=/ USER_SPEC="" CMD=() HC=() HC_OPTS=""
  ENVV=([NODE_VERSION]="$(chroot "$BASE" /usr/bin/env -i /usr/local/bin/node -v | tr -d v)")
}
do_workdir() { WD=$1; mkdir -p "$ROOT$WD"; ok "WORKDIR $WD"; }
do_env() { ENVV[$1]=$2; ok "ENV $1=$2"; }
do_user() { USER_SPEC=$(user_ids "$1"); ok "USER $1 ($USER_SPEC)"; }
do_meta() { ok "$1 $2 (metadata)"; }
do_unsupported() { bad "instruction $1 not replayed: $2"; exit 1; }

in_chroot() { # in_chroot LOGNAME command... : run in the stage, as USER, in WORKDIR, with ENV (+ build-time extras)
  local log=$LOGS/$1; shift
  local home=/root spec=() extra=()
  if [ -n "$USER_SPEC" ]; then home=$(user_home "${USER_SPEC%%:*}"); spec=(--userspec="$USER_SPEC"); fi
  cp "$HOST_CA" "$ROOT/.verify-ca.crt"
  extra=(NODE_EXTRA_CA_CERTS=/.verify-ca.crt npm_config_nodedir=/usr/local)
  local envs=(); mapfile -d '' envs < <(env_args "$home")
  # A private mount namespace: /dev, /proc and resolv.conf vanish with it (nothing to unmount).
  unshare --mount --propagation private --fork /bin/sh -c '
    r=$1; shift
    mount --rbind /dev "$r/dev" && mount -t proc proc "$r/proc" && mount -t sysfs sys "$r/sys"
    touch "$r/etc/resolv.conf" && mount --bind /etc/resolv.conf "$r/etc/resolv.conf"
    exec "$@"' sh "$ROOT" chroot "${spec[@]}" "$ROOT" /usr/bin/env -i -C "$WD" "${envs[@]}" "${extra[@]}" "$@" >"$log" 2>&1
  local rc=$?
  rm -f "$ROOT/.verify-ca.crt"
  return $rc
}
do_run() {
  local n=run-$STAGE_N-$RANDOM.log
  printf '   RUN %s\n' "$(cut -c1-110 <<<"$1")"
  if in_chroot "$n" /bin/sh -c "$1"; then ok "(log: logs/$n)"; else bad "RUN exited non-zero (log: logs/$n):"; tail -30 "$LOGS/$n"; exit 1; fi
}
do_run_exec() { local n=run-$STAGE_N-$RANDOM.log; in_chroot "$n" "$@" || { bad "RUN $*"; exit 1; }; }
do_copy() { # do_copy FROM CHOWN SRC... DEST (DEST relative to WORKDIR; a trailing / or several sources: a folder)
  local from=$1 chown=$2; shift 2
  local args=("$@") dest=${args[-1]} srcroot=$CTX
  unset 'args[-1]'
  [ -n "$from" ] && srcroot=${STAGE_DIR[$from]:?COPY --from=$from: no such stage}
  case $dest in /*) ;; *) dest=$WD/$dest ;; esac
  local s t
  for s in "${args[@]}"; do
    local src=$srcroot/${s#/}
    [ -e "$src" ] || { bad "COPY $s: not in the ${from:+stage $from}${from:-build context} (excluded by .dockerignore?)"; exit 1; }
    if [ -d "$src" ]; then t=$dest; mkdir -p "$ROOT$t"; cp -a "$src/." "$ROOT$t/"
    elif [ "${#args[@]}" -gt 1 ] || [[ $dest == */ ]]; then t=${dest%/}/$(basename "$s"); mkdir -p "$ROOT${dest%/}"; cp -a "$src" "$ROOT$t"
    else t=$dest; mkdir -p "$(dirname "$ROOT$t")"; cp -a "$src" "$ROOT$t"; fi
    if [ -n "$chown" ]; then chroot "$ROOT" chown -R "$chown" "$t"; else chown -R 0:0 "$ROOT$t"; fi
  done
  ok "COPY ${from:+--from=$from }${chown:+--chown=$chown }${args[*]} -> $dest"
}
do_cmd() { CMD=("$@"); ok "CMD ${CMD[*]}"; }
do_healthcheck() { HC_OPTS=$1; shift; HC=("$@"); ok "HEALTHCHECK $HC_OPTS CMD (${#HC[@]} words)"; }

say "Dockerfile, instruction by instruction (plan: logs/plan.sh)"
if [ -n "${VERIFY_REUSE_STAGES:-}" ]; then
  # Only to re-run the container checks: the stages of the last run are kept, the plan only
  # re-read for ENV, USER, WORKDIR, HEALTHCHECK and CMD.
  echo "   VERIFY_REUSE_STAGES set: RUN and COPY skipped, the stages of the last run used as they are"
  do_run() { :; }; do_run_exec() { :; }; do_copy() { :; }
  do_from() { STAGE_N=$((STAGE_N + 1)); ROOT=$W/stage$STAGE_N; [ -n "$2" ] && STAGE_DIR[$2]=$ROOT; WD=/ USER_SPEC="" CMD=() HC=() HC_OPTS=""; ENVV=(); }
fi
# shellcheck disable=SC1090
. "$PLAN"
FINAL=$ROOT

# --- 4. the image as a container -----------------------------------------------------------------
say "the image: what it holds"
for p in /app/test /app/docs /app/bench /app/.env /app/data /app/scratch /app/.git; do
  [ -e "$FINAL$p" ] && bad "$p is in the image" || ok "$p not in the image"
done
for p in /app/node_modules/better-sqlite3/build/Release/better_sqlite3.node /app/node_modules/tsx /app/src/db/migrations /app/src/knowledge/negatives/general.vi.txt /app/dist/knowledge/negatives/general.vi.txt /app/dist/db/migrations /app/src/admin/assets /app/src/channels/web/widget.js /app/bots/default.yaml; do
  [ -e "$FINAL$p" ] && ok "$p present" || bad "$p missing"
done
for p in typescript vitest playwright-core @types/node; do
  [ -e "$FINAL/app/node_modules/$p" ] && bad "devDependency $p in the image" || ok "devDependency $p not in the image (--omit=dev)"
done
[ "$(stat -c %u:%g "$FINAL/data")" = 10001:10001 ] && ok "/data owned by 10001:10001" || bad "/data owned by $(stat -c %u:%g "$FINAL/data")"
if [ -x "$FINAL/usr/bin/g++" ] || [ -x "$FINAL/usr/bin/make" ]; then bad "the toolchain reached the runtime stage"; else ok "no compiler in the runtime stage"; fi
[ -z "$(find "$FINAL/app" -user 10001 -not -path "$FINAL/app/content" -not -path "$FINAL/app/content/*" | head -1)" ] && ok "under /app only content/ belongs to loa (the rest is read-only to it)" || bad "files under /app owned by loa outside content/"

# The compiled copy `loa` starts from (bin/compiled.js), made by the Dockerfile's RUN: it must
# match the sources as the image's user sees them, or every start would go through tsx (that
# user cannot write /app to make it). Asked as that user, with compiledCopy's own answer.
say "the compiled copy /app/dist, as $USER_SPEC sees it"
copy_state() { chroot --userspec="$USER_SPEC" "$FINAL" /usr/bin/env -i HOME=/tmp PATH=$DEFAULT_PATH /usr/local/bin/node --input-type=module -e 'import { compiledCopy } from "/app/bin/compiled.js"; let c = false; const r = await compiledCopy("/app", () => { c = true; }); console.log(JSON.stringify({ ...r, compiling: c }));'; }
check_copy() { # check_copy WHEN
  local st
  st=$(copy_state 2>&1) || true
  if node -e 'const r = JSON.parse(process.argv[1]); process.exit(r.dist === "/app/dist" && !r.compiled && !r.compiling ? 0 : 1)' "$st" 2>/dev/null; then ok "$1: compiledCopy('/app') = /app/dist, nothing compiled"; else bad "$1: compiledCopy('/app') = $st (loa would start through tsx)"; fi
}
if [ -f "$FINAL/app/dist/.source-stamp" ] && [ -f "$FINAL/app/dist/main.js" ] && [ -f "$FINAL/app/dist/db/migrations/$(ls "$FINAL/app/src/db/migrations" | head -1)" ]; then ok "/app/dist holds main.js, the stamp and the files beside the code ($(find "$FINAL/app/dist" -type f | wc -l) files, $(du -sh "$FINAL/app/dist" | cut -f1))"; else bad "/app/dist incomplete or missing"; fi
check_copy "as built"
# A pushed and pulled image (or docker save/load) has its files' times from the layer tars, whole
# seconds: the copy must still match.
node -e 'const fs = require("node:fs"), path = require("node:path");
const walk = (d) => { for (const e of fs.readdirSync(d, { withFileTypes: true })) { const p = path.join(d, e.name); if (e.isSymbolicLink()) continue; if (e.isDirectory()) walk(p); const t = Math.floor(fs.statSync(p).mtimeMs / 1000); fs.utimesSync(p, t, t); } };
walk(process.argv[1]);' "$FINAL/app"
check_copy "with every time under /app cut to whole seconds, as the layers of a pulled image keep them"

# The container: new network (loopback only: no way out, as with the Bot API unreachable), PID
# and mount namespaces; the CMD is PID 1, as the image's USER, WORKDIR and ENV (then any
# `--env-file` / `-e` variables, which win over ENV as in docker run). /data is the image's own
# /data, as a new named volume starts from it.
CHOME=$(user_home "${USER_SPEC%%:*}")
PORT=${ENVV[LOA_HTTP_PORT]:-3000}
CPID="" OUTER="" CLOG="" CENV=()
start_container() { # start_container NAME [VAR=value...] [-- command...]
  local name=$1; shift
  local extra=() cmd=("${CMD[@]}")
  while [ $# -gt 0 ] && [ "$1" != -- ]; do extra+=("$1"); shift; done
  [ "${1:-}" = -- ] && { shift; cmd=("$@"); }
  mapfile -d '' CENV < <(env_args "$CHOME")
  CENV+=("${extra[@]}")
  CLOG=$LOGS/container-$name.log
  BIND_DATA=${BIND_DATA:-} HIDE_DIR=${HIDE_DIR:-} unshare --net --pid --mount --propagation private --fork /bin/sh -c '
    r=$1; shift
    ip link set lo up
    mount -t proc proc "$r/proc" || exit 70
    if [ -n "$BIND_DATA" ]; then mount --bind "$BIND_DATA" "$r/data" || exit 70; fi
    if [ -n "$HIDE_DIR" ]; then mount -t tmpfs -o ro tmpfs "$r$HIDE_DIR" || exit 70; fi
    for d in null zero random urandom tty; do [ -e "$r/dev/$d" ] || exit 70; done
    exec "$@"' sh "$FINAL" chroot --userspec="$USER_SPEC" "$FINAL" /usr/bin/env -i -C "$WD" "${CENV[@]}" "${cmd[@]}" >"$CLOG" 2>&1 &
  OUTER=$!
  CPID=""
  for _ in $(seq 50); do CPID=$(ps -o pid= --ppid "$OUTER" | tr -d ' ' | head -1); [ -n "$CPID" ] && break; sleep 0.1; done
  [ -n "$CPID" ] || { bad "the container did not start"; cat "$CLOG"; exit 1; }
}
in_container() { # like `docker exec`: the container's namespaces, root, WORKDIR, USER and environment
  nsenter --target "$CPID" --net --pid --mount --root --wd -S "${USER_SPEC%%:*}" -G "${USER_SPEC##*:}" /usr/bin/env -i "${CENV[@]}" "$@"
}
on_loopback() { nsenter --target "$CPID" --net "$@"; }
wait_healthz() { # up to 120 s; the answer in $H ("body\nstatus")
  H=""
  for _ in $(seq 600); do
    kill -0 "$CPID" 2>/dev/null || { bad "the container exited: $(tail -5 "$CLOG")"; return 1; }
    H=$(on_loopback curl -s -w '\n%{http_code}' "http://127.0.0.1:$PORT/healthz") && return 0
    sleep 0.2
  done
  bad "/healthz did not answer in 120 s"; return 1
}
stop_container() { # docker stop: SIGTERM to PID 1, SIGKILL after 10 s
  local stopped="" rc t0
  t0=$(date +%s%N)
  kill -TERM "$CPID"
  for _ in $(seq 100); do kill -0 "$CPID" 2>/dev/null || { stopped=1; break; }; sleep 0.1; done
  if [ -n "$stopped" ]; then
    wait "$OUTER" && rc=0 || rc=$?
    [ $rc -eq 0 ] && ok "SIGTERM: stopped in $(( ($(date +%s%N) - t0) / 1000000 )) ms, exit 0" || bad "SIGTERM: stopped, exit $rc"
  else
    bad "SIGTERM ignored for 10 s (docker stop would SIGKILL)"; kill -KILL "$CPID"; wait "$OUTER" || true
  fi
  [ -e "$FINAL/data/loa.pid" ] && bad "data/loa.pid left behind" || ok "no loa.pid left in /data"
}
run_once() { # run_once NAME command... : `docker run --rm IMAGE command` on the same volume
  start_container "$1" -- "${@:2}"
  wait "$OUTER"
}

say "docker run -v loa-data:/data IMAGE: $(printf '%s ' "${CMD[@]}")as $USER_SPEC"
[ -n "${VERIFY_REUSE_STAGES:-}" ] && find "$FINAL/data" -mindepth 1 -delete   # a new volume
started=$(date +%s%N)
start_container first
for _ in $(seq 1200); do grep -q 'mật khẩu dùng một lần' "$CLOG" && break; kill -0 "$CPID" 2>/dev/null || break; sleep 0.1; done
if grep -q 'mật khẩu dùng một lần' "$CLOG"; then ok "first admin password printed $(( ($(date +%s%N) - started) / 1000000 )) ms after the start: $(grep -m1 -o 'mật khẩu dùng một lần[^"]*' "$CLOG" | short 45)…"; else bad "no first admin password in 120 s"; fi
if wait_healthz; then
  echo "$H" >"$LOGS/healthz.json"
  if node -e 'const [b, c] = require("fs").readFileSync(0, "utf8").trim().split(/\n(?=\d+$)/); const j = JSON.parse(b); if (typeof j.ok !== "boolean" || !j.channels || !j.channels.web) process.exit(1); console.log("      HTTP " + c + " " + JSON.stringify(j).slice(0, 150) + "…")' <<<"$H"; then ok "/healthz answers JSON"; else bad "/healthz: $H"; fi
fi
on_loopback ss -ltnH "sport = :$PORT" | grep -q "0.0.0.0:$PORT" && ok "listening on 0.0.0.0:$PORT (reachable through -p)" || bad "not listening on 0.0.0.0:$PORT: $(on_loopback ss -ltnH)"
A=$(on_loopback curl -s -H 'content-type: application/json' --data '{"session":"abcdefgh1234","text":"trẻ em có được cấp thẻ bảo hiểm y tế miễn phí không"}' "http://127.0.0.1:$PORT/api/chat" || true)
echo "$A" >"$LOGS/chat.json"
if grep -q 'Nguồn' <<<"$A" && grep -qi 'bảo hiểm y tế' <<<"$A"; then ok "POST /api/chat answered with its source: $(node -e 'const t = JSON.stringify(JSON.parse(require("fs").readFileSync(0, "utf8"))); console.log(t.slice(0, 110) + " … " + (t.match(/Nguồn[^"\\]*/) || [""])[0].slice(0, 100))' <<<"$A")"; else bad "POST /api/chat: $A"; fi
for f in /widget.js /admin/login; do
  c=$(on_loopback curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT$f")
  [ "$c" = 200 ] && ok "GET $f: 200" || bad "GET $f: $c"
done
if in_container "${HC[@]}"; then ok "HEALTHCHECK command exits 0 ($HC_OPTS)"; else bad "HEALTHCHECK command exits non-zero"; fi
rc=0; in_container node bin/loa.js doctor >"$LOGS/doctor.log" 2>&1 || rc=$?
if [ $rc = 0 ]; then ok "loa doctor (docker exec) exits 0"; else bad "loa doctor exits $rc"; fi
sed 's/^/      /' "$LOGS/doctor.log"
grep -q '^✓ Bản biên dịch: Loa chạy từ bản biên dịch sẵn /app/dist' "$LOGS/doctor.log" && ok "loa doctor ran from /app/dist" || bad "loa doctor did not run from /app/dist: $(grep 'Bản biên dịch' "$LOGS/doctor.log")"
BACKUP=""
if in_container node bin/loa.js backup >"$LOGS/backup.log" 2>&1; then
  BACKUP=$(ls -t "$FINAL/data/backups/"*.sqlite 2>/dev/null | head -1)
  [ -n "$BACKUP" ] && [ "$(stat -c %u "$BACKUP")" = "${USER_SPEC%%:*}" ] && ok "loa backup (docker exec, service running) wrote ${BACKUP#"$FINAL"} ($(stat -c %s "$BACKUP") bytes, uid $(stat -c %u "$BACKUP"))" || bad "loa backup: no file in /data/backups"
else bad "loa backup: exit $? ($(tail -3 "$LOGS/backup.log"))"; fi
rc=0; in_container node bin/loa.js restore "${BACKUP#"$FINAL"}" >"$LOGS/restore-refused.log" 2>&1 || rc=$?
[ $rc != 0 ] && ok "loa restore refused while the service runs (exit $rc): $(head -1 "$LOGS/restore-refused.log" | short 120)" || bad "loa restore ran while the service runs"
stop_container
tail -3 "$CLOG" | short 160 | sed 's/^/      /'

say "docker compose run --rm loa node bin/loa.js restore BACKUP (service stopped), then start again on the same volume"
if [ -n "$BACKUP" ] && run_once restore node bin/loa.js restore "${BACKUP#"$FINAL"}"; then ok "restore exits 0: $(grep -m1 . "$LOGS/container-restore.log" | short 120)"; else bad "restore: $(tail -3 "$LOGS/container-restore.log")"; fi
started=$(date +%s%N)
start_container second
wait_healthz && ok "second start: /healthz after $(( ($(date +%s%N) - started) / 1000000 )) ms ($(tail -n1 <<<"$H"))"
grep -q 'mật khẩu dùng một lần' "$CLOG" && bad "a new admin password on the second start" || ok "no new admin password (the admin from the restored database)"
stop_container

say "docker run --env-file .env (copied from .env.example, unedited): the image's own settings must survive it"
mapfile -t ENVFILE < <(grep -E '^[A-Za-z_][A-Za-z0-9_]*=' "$CTX/.env.example")
rm -rf "$FINAL/data.keep"; cp -a "$FINAL/data" "$FINAL/data.keep"
start_container envfile "${ENVFILE[@]}"
if wait_healthz; then
  on_loopback ss -ltnH "sport = :$PORT" | grep -q "0.0.0.0:$PORT" && ok "listening on 0.0.0.0:$PORT" || bad "listening only on $(on_loopback ss -ltnH | awk '{print $4}' | tr '\n' ' ')(-p cannot reach it)"
  [ -e "$FINAL/data/loa.pid" ] && ok "using the /data volume" || bad "not using /data (LOA_DATA_DIR from .env?)"
  stop_container
else
  kill -KILL "$CPID" 2>/dev/null || true; wait "$OUTER" || true
fi
rm -rf "$FINAL/data"; mv "$FINAL/data.keep" "$FINAL/data"

say "docker run IMAGE with tsx taken out of the image: loa start, its worker threads and loa doctor must run from /app/dist"
rm -rf "$FINAL/data.keep"; cp -a "$FINAL/data" "$FINAL/data.keep"
HIDE_DIR=/app/node_modules/tsx start_container no-tsx
if wait_healthz; then
  ok "/healthz answers without tsx ($(tail -n1 <<<"$H"))"
  A=$(on_loopback curl -s -H 'content-type: application/json' --data '{"session":"abcdefgh9012","text":"trẻ em có được cấp thẻ bảo hiểm y tế miễn phí không"}' "http://127.0.0.1:$PORT/api/chat" || true)
  grep -q 'Nguồn' <<<"$A" && ok "POST /api/chat answered without tsx" || bad "POST /api/chat without tsx: $A"
  for _ in $(seq 300); do grep -q 'search thread is ready' "$CLOG" && break; sleep 0.2; done
  grep -q 'search thread is ready' "$CLOG" && ok "the search thread (a worker) started without tsx" || bad "no 'search thread is ready' without tsx: $(grep -i -m2 'error\|thread' "$CLOG" | short 200)"
  in_container ls /app/node_modules/tsx/package.json >/dev/null 2>&1 && bad "tsx still visible in the container" || ok "tsx really hidden in the container"
  rc=0; in_container node bin/loa.js doctor >"$LOGS/doctor-no-tsx.log" 2>&1 || rc=$?
  grep -q '^✓ Bản biên dịch' "$LOGS/doctor-no-tsx.log" && ok "loa doctor without tsx (exit $rc)" || bad "loa doctor without tsx: $(head -3 "$LOGS/doctor-no-tsx.log")"
  stop_container
else
  kill -KILL "$CPID" 2>/dev/null || true; wait "$OUTER" || true
fi
rm -rf "$FINAL/data"; mv "$FINAL/data.keep" "$FINAL/data"

say "docker run -v /srv/loa-data:/data IMAGE, the host folder owned by root (not chown'ed to 10001)"
mkdir -p "$W/bind-data"; chown 0:0 "$W/bind-data"; chmod 755 "$W/bind-data"; find "$W/bind-data" -mindepth 1 -delete
BIND_DATA=$W/bind-data start_container bind
rc=0; wait "$OUTER" || rc=$?
if [ $rc = 78 ] && grep -q 'không ghi được vào /data' "$CLOG"; then ok "exit 78 with: $(head -2 "$CLOG" | tr '\n' ' ' | short 220)"; else bad "exit $rc: $(head -3 "$CLOG")"; fi

say "docker run -e TELEGRAM_BOT_TOKEN=… IMAGE with the Bot API unreachable (no way out of the container)"
find "$FINAL/data" -mindepth 1 -delete   # a new volume: the first admin is created again
started=$(date +%s%N)
start_container telegram-down TELEGRAM_BOT_TOKEN=123456789:AAverify-image-rootfs-not-a-real-token
for _ in $(seq 1200); do grep -q 'mật khẩu dùng một lần' "$CLOG" && break; kill -0 "$CPID" 2>/dev/null || break; sleep 0.1; done
grep -q 'mật khẩu dùng một lần' "$CLOG" && ok "first admin password printed $(( ($(date +%s%N) - started) / 1000000 )) ms after the start, Telegram unreachable" || bad "no first admin password with Telegram unreachable"
if wait_healthz; then
  echo "$H" >"$LOGS/healthz-telegram-down.json"
  if node -e 'const [b, c] = require("fs").readFileSync(0, "utf8").trim().split(/\n(?=\d+$)/); const j = JSON.parse(b); const t = j.channels.telegram; if (c !== "503" || j.ok !== false || !t || t.state === "connected" || t.state === "off" || !t.reason) process.exit(1); console.log("      HTTP " + c + " telegram: " + JSON.stringify(t))' <<<"$H"; then ok "/healthz: 503, Telegram not connected, with its reason"; else bad "/healthz with Telegram down: $H"; fi
  in_container "${HC[@]}" && bad "HEALTHCHECK exits 0 while Telegram is down" || ok "HEALTHCHECK command exits non-zero (container unhealthy) while Telegram is down"
  A=$(on_loopback curl -s -H 'content-type: application/json' --data '{"session":"abcdefgh5678","text":"trẻ em có được cấp thẻ bảo hiểm y tế miễn phí không"}' "http://127.0.0.1:$PORT/api/chat" || true)
  grep -q 'Nguồn' <<<"$A" && ok "the web chat answers meanwhile" || bad "web chat with Telegram down: $A"
fi
stop_container

# --- 5. compose.yaml and deploy/Caddyfile against the Dockerfile and the code ------------------
say "compose.yaml and deploy/Caddyfile against the Dockerfile and src/config.ts"
CONSISTENCY=$(NODE_PATH=$FINAL/app/node_modules node - "$CTX" "$PORT" "${ENVV[LOA_DATA_DIR]:-}" "${ENVV[LOA_CONTENT_DIR]:-}" "${ENVV[LOA_BOT]:-}" <<'EOF'
const fs = require('node:fs'), path = require('node:path');
const { parse } = require('yaml');
const [ctx, port, dataDir, contentDir, bot] = process.argv.slice(2);
const c = parse(fs.readFileSync(path.join(ctx, 'compose.yaml'), 'utf8'));
const dockerfile = fs.readFileSync(path.join(ctx, 'Dockerfile'), 'utf8');
const config = fs.readFileSync(path.join(ctx, 'src/config.ts'), 'utf8');
const caddy = fs.readFileSync(path.join(ctx, 'deploy/Caddyfile'), 'utf8');
const out = [];
const check = (okay, text) => out.push(`${okay ? 'ok' : 'FAILED'}\t${text}`);
const loa = c.services.loa, env = loa.environment;
for (const k of Object.keys(env)) check(new RegExp(`\\b${k}\\b`).test(config), `compose sets ${k}: read by src/config.ts`);
check(String(env.LOA_HTTP_PORT) === port, `compose LOA_HTTP_PORT ${env.LOA_HTTP_PORT} = the image's ${port}`);
check(new RegExp(`EXPOSE\\s+${port}\\b`).test(dockerfile), `Dockerfile EXPOSE ${port}`);
check(loa.ports.some((p) => String(p).endsWith(`:${port}`)), `compose publishes container port ${port} (${loa.ports.join(', ')})`);
const targets = loa.volumes.map((v) => String(v).replace(/\$\{[^}]*\}/g, 'SRC').split(':')[1]);
check(env.LOA_DATA_DIR === dataDir && targets.includes(dataDir) && dockerfile.includes(`VOLUME ["${dataDir}"]`), `data: LOA_DATA_DIR ${env.LOA_DATA_DIR}, a compose volume and the Dockerfile VOLUME`);
check(env.LOA_CONTENT_DIR === contentDir && targets.includes(contentDir), `content: LOA_CONTENT_DIR ${env.LOA_CONTENT_DIR} mounted`);
check(String(env.LOA_BOT).startsWith(path.dirname(bot) + '/') && targets.includes(path.dirname(bot)), `bot: LOA_BOT ${env.LOA_BOT} under the mounted ${path.dirname(bot)}`);
check(!loa.healthcheck, 'compose keeps the Dockerfile HEALTHCHECK (no override)');
const cd = c.services.caddy;
check(cd.environment.LOA_UPSTREAM === `loa:${port}`, `Caddy upstream ${cd.environment.LOA_UPSTREAM}`);
check(env.LOA_TRUST_PROXY === cd.networks.loa.ipv4_address, `LOA_TRUST_PROXY ${env.LOA_TRUST_PROXY} = Caddy's fixed address`);
const net = c.networks.loa.ipam.config[0].subnet;
const prefix = net.split('.').slice(0, 3).join('.') + '.';
check([cd.networks.loa.ipv4_address, loa.networks.loa.ipv4_address].every((a) => a.startsWith(prefix)), `both fixed addresses in ${net}`);
check(caddy.includes('{$LOA_DOMAIN}') && caddy.includes('{$LOA_UPSTREAM'), 'Caddyfile reads LOA_DOMAIN and LOA_UPSTREAM');
check(cd.volumes.some((v) => v.startsWith('./deploy/Caddyfile:/etc/caddy/Caddyfile')), 'Caddy mounts deploy/Caddyfile');
for (const f of ['bots', 'content', 'deploy/Caddyfile', '.env.example']) check(fs.existsSync(path.join(ctx, f)), `${f} in a clean clone`);
console.log(out.join('\n'));
EOF
) || bad "consistency check crashed"
while IFS=$'\t' read -r st text; do [ "$st" = ok ] && ok "$text" || bad "$text"; done <<<"$CONSISTENCY"

say "$([ $FAILED = 0 ] && echo 'all checks passed' || echo 'SOME CHECKS FAILED') (logs in $LOGS)"
exit $FAILED
