#!/usr/bin/env bash
# deploy/lib/with-secrets.sh CMD...: run CMD with the local platform's secrets (the ones
# `npm run platform` generated into .run/secrets; none are created here). Without them the
# development defaults apply, matching an engine started in development mode.
set -euo pipefail
# shellcheck source=deploy/lib/secrets.sh
source "$(dirname "${BASH_SOURCE[0]}")/secrets.sh"
secrets_export_existing
exec "$@"
