#!/usr/bin/env bash
# `prisma generate` needs no schema engine, but the CLI insists on finding one at start-up
# and would download it (impossible here): point it at a harmless executable instead.
set -euo pipefail
cd "$(dirname "$0")"
export PRISMA_SCHEMA_ENGINE_BINARY="${PRISMA_SCHEMA_ENGINE_BINARY:-/bin/true}"
exec npx --no-install prisma generate --no-hints "$@"
