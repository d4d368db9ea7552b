#!/usr/bin/env bash
# Stops what up.sh started locally (never a server named by KAFKA_BOOTSTRAP_SERVERS / DATABASE_URL).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
[ -n "${KAFKA_BOOTSTRAP_SERVERS:-}" ] || "$SUIVI_ROOT/deploy/scripts/kafka.sh" stop
[ -n "${DATABASE_URL:-}" ] || "$SUIVI_ROOT/deploy/scripts/postgres.sh" stop
