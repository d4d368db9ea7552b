#!/usr/bin/env bash
# Starts local Kafka and PostgreSQL (unless KAFKA_BOOTSTRAP_SERVERS / DATABASE_URL point elsewhere)
# and waits until both really answer. Safe to run again while they are up.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
started="$(date +%s)"
if [ -n "${KAFKA_BOOTSTRAP_SERVERS:-}" ]; then
  log "KAFKA_BOOTSTRAP_SERVERS=$KAFKA_BOOTSTRAP_SERVERS: using that cluster, no local Kafka"
else
  "$SUIVI_ROOT/deploy/scripts/kafka.sh" start
fi
if [ -n "${DATABASE_URL:-}" ]; then
  log "DATABASE_URL is set: using that server, no local PostgreSQL"
else
  "$SUIVI_ROOT/deploy/scripts/postgres.sh" start
fi
cd "$SUIVI_ROOT"
uv run --frozen suivi-wait --kafka --postgres --timeout "${SUIVI_WAIT_SECONDS:-120}"
uv run --frozen suivi-topics >/dev/null
log "infrastructure up in $(( $(date +%s) - started ))s"
