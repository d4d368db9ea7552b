#!/usr/bin/env bash
# Shared settings for the local-infrastructure scripts. Everything lives under $SUIVI_STATE_DIR.
set -euo pipefail
SUIVI_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SUIVI_STATE_DIR="${SUIVI_STATE_DIR:-$SUIVI_ROOT/.local}"
KAFKA_PORT="${SUIVI_KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${SUIVI_KAFKA_CONTROLLER_PORT:-9093}"
PG_PORT="${SUIVI_PG_PORT:-5432}"
PG_USER="${SUIVI_PG_USER:-suivi}"
PG_DB="${SUIVI_PG_DB:-suivi}"
# Local development credentials only; a real deployment sets DATABASE_URL.
PG_PASSWORD="${SUIVI_PG_PASSWORD:-suivi}"
STOP_GRACE_SECONDS="${SUIVI_STOP_GRACE_SECONDS:-15}"

log() { printf '[%s] %s\n' "$(basename "$0" .sh)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

apt_install() {
  # Installs Debian packages that are missing; one apt-get update per run at most.
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  if [ -z "${SUIVI_APT_UPDATED:-}" ]; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    export SUIVI_APT_UPDATED=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}" >/dev/null
}

pid_alive() { [ -f "$1" ] && kill -0 "$(head -1 "$1")" 2>/dev/null; }

# Stops the process in pid file $1: SIGTERM, then SIGKILL after the grace period.
stop_pidfile() {
  local pidfile="$1" name="$2" pid
  if ! pid_alive "$pidfile"; then rm -f "$pidfile"; log "$name is not running"; return 0; fi
  pid="$(cat "$pidfile")"
  log "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 $((STOP_GRACE_SECONDS * 5))); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$pidfile"; log "$name stopped"; return 0; }
    sleep 0.2
  done
  log "$name did not stop within ${STOP_GRACE_SECONDS}s: SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$pidfile"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
