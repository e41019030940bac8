# shellcheck shell=bash
# deploy/lib/secrets.sh: the local platform's secrets. Production mode (NODE_ENV=production)
# refuses every development default, so `npm run platform` generates each secret once into
# $CPQ_RUN/secrets (folder 700, files 600, git-ignored) and passes it to the process roles;
# `npm run token` reads the same files (deploy/lib/with-secrets.sh). A variable already set in
# the environment wins over the file. Source it; it sets no shell options.
#
#   secret_value NAME [BYTES]   print the secret NAME, generating BYTES random bytes
#                               (base64url, default 48) into $CPQ_RUN/secrets/NAME on first use
#   secrets_export              generate what is missing and export the roles' secrets
#   secrets_export_existing     export only the secrets already generated (never creates any)

: "${CPQ_RUN:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/.run}"
SECRETS_DIR="$CPQ_RUN/secrets"

secret_value() {
  local name="$1" bytes="${2:-48}" file="$SECRETS_DIR/$1"
  if [[ ! -s "$file" ]]; then
    (umask 077 && mkdir -p "$SECRETS_DIR" && head -c "$bytes" /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '=' >"$file.tmp" && mv "$file.tmp" "$file") || return 1
  fi
  chmod 700 "$SECRETS_DIR" && chmod 600 "$file" && cat "$file"
}

# name of the variable : name of the file
# METRICS_TOKEN: the Prometheus scrape token; every role serves /metrics behind it (ADR 0018).
# TARGET_SYSTEMS_CLIENT_SECRET: the simulated target systems' credential for their callbacks.
_SECRETS=("AUTH_JWT_SECRET:auth-jwt-secret" "PLATFORM_ADMIN_TOKEN:platform-admin-token" "WORKER_CLIENT_SECRET:workers-client-secret" "METRICS_TOKEN:metrics-token" "TARGET_SYSTEMS_CLIENT_SECRET:target-systems-client-secret")

# The engine's service clients (engine/src/http/service-clients.ts): the workers and the target
# systems (their fulfillment callbacks), by the SHA-256 of their secret; the engine never sees a
# secret itself.
_service_clients() {
  local workers target
  workers=$(printf '%s' "$WORKER_CLIENT_SECRET" | sha256sum | cut -c1-64)
  target=$(printf '%s' "$TARGET_SYSTEMS_CLIENT_SECRET" | sha256sum | cut -c1-64)
  printf '[{"clientId":"workers","secretSha256":"%s","roles":["integrator"],"tenants":["*"]},{"clientId":"target-systems","secretSha256":"%s","roles":["integrator"],"tenants":["*"]}]' "$workers" "$target"
}

secrets_export() {
  local entry var value
  for entry in "${_SECRETS[@]}"; do
    var="${entry%%:*}"
    [[ -n "${!var:-}" ]] && continue
    value="$(secret_value "${entry#*:}")" || { echo "could not write $SECRETS_DIR/${entry#*:}" >&2; return 1; }
    export "$var=$value"
  done
  if [[ -z "${SERVICE_CLIENTS:-}" ]]; then SERVICE_CLIENTS="$(_service_clients)"; export SERVICE_CLIENTS; fi
}

secrets_export_existing() {
  local entry var
  for entry in "${_SECRETS[@]}"; do
    var="${entry%%:*}"
    [[ -z "${!var:-}" && -s "$SECRETS_DIR/${entry#*:}" ]] && export "$var=$(cat "$SECRETS_DIR/${entry#*:}")"
  done
  return 0
}
