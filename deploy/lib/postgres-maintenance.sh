#!/usr/bin/env bash
# PostgreSQL settings the platform needs of the server it runs on (sourced by deploy/platform.sh).
: "${POSTGRES_PORT:=5432}"

# The platform's databases are maintained by autovacuum, as any PostgreSQL that runs a system:
# Camunda deletes its runtime rows at every step (its variables, executions, tasks), and without
# vacuum their dead versions pile up under the indexes (the approval bench: 160,000 dead rows of
# ACT_RU_VARIABLE behind 204 live ones after two hours, Camunda's database time per loop doubled),
# and without analyze the planner plans new tables as empty. A server set up with it off (a CI
# image does that) gets it on, said here; KEEP_AUTOVACUUM_OFF=1 leaves the server as it is.
postgres_autovacuum() {
  local current
  current=$(psql -h 127.0.0.1 -p "$POSTGRES_PORT" -U postgres -Atc "SHOW autovacuum")
  if [[ "$current" == "on" ]]; then echo "autovacuum is on"; return 0; fi
  if [[ "${KEEP_AUTOVACUUM_OFF:-}" == "1" ]]; then echo "autovacuum is off and left off (KEEP_AUTOVACUUM_OFF=1)"; return 0; fi
  psql -h 127.0.0.1 -p "$POSTGRES_PORT" -U postgres -qAtc "ALTER SYSTEM SET autovacuum = on" -c "SELECT pg_reload_conf()" >/dev/null
  for _ in $(seq 1 20); do
    [[ $(psql -h 127.0.0.1 -p "$POSTGRES_PORT" -U postgres -Atc "SHOW autovacuum") == "on" ]] && { echo "autovacuum was off in the server's configuration: turned on (ALTER SYSTEM)"; return 0; }
    sleep 0.25
  done
  echo "autovacuum could not be turned on" >&2
  return 1
}
