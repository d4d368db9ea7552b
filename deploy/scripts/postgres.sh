#!/usr/bin/env bash
# Local PostgreSQL from Debian's package: a private cluster under $SUIVI_STATE_DIR/postgres,
# listening on 127.0.0.1:$PG_PORT, with a role and database for the project.
#   postgres.sh install | start | stop | status
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

PG_HOME="$SUIVI_STATE_DIR/postgres"
PG_DATA="$PG_HOME/data"
PG_RUN="$PG_HOME/run"
PG_LOG="$PG_HOME/postgres.log"
PG_PIDFILE="$PG_HOME/postgres.pid"

pg_bin() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
  [ -n "$dir" ] || die "no PostgreSQL server binaries in /usr/lib/postgresql"
  echo "$dir"
}

# The server refuses to run as root: run it as the unprivileged 'postgres' account when we are root.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

install() {
  if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    # Our own cluster is used: keep Debian from creating (and starting) its default one on 5432.
    if [ ! -f /etc/postgresql-common/createcluster.conf ]; then
      as_root mkdir -p /etc/postgresql-common
      echo "create_main_cluster = false" | as_root tee /etc/postgresql-common/createcluster.conf >/dev/null
    fi
    apt_install postgresql
    # Should the package have created and started its default cluster anyway, stop it:
    # it would hold the port our own cluster uses.
    if command -v pg_lsclusters >/dev/null; then
      pg_lsclusters --no-header 2>/dev/null | awk '$4 == "online" {print $1, $2}' | while read -r v c; do
        log "stopping Debian's default cluster $v/$c"; as_root pg_ctlcluster "$v" "$c" stop || true
      done
    fi
  fi
}

init_cluster() {
  mkdir -p "$PG_HOME"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$PG_HOME"
  # The server must reach its directory: make the path to it traversable.
  local d="$PG_HOME"; while [ "$d" != "/" ]; do d="$(dirname "$d")"; chmod o+x "$d" 2>/dev/null || true; done
  if [ ! -f "$PG_DATA/PG_VERSION" ]; then
    log "initialising a cluster in $PG_DATA"
    as_pg "$(pg_bin)/initdb" -D "$PG_DATA" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
      -E UTF8 --locale=C.UTF-8 >"$PG_HOME/initdb.log" 2>&1 || die "initdb failed, see $PG_HOME/initdb.log"
    as_pg mkdir -p "$PG_RUN"
    cat >>"$PG_DATA/postgresql.conf" <<CONF
# Suivi local development settings
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_RUN'
max_connections = 200
shared_buffers = 256MB
fsync = on
synchronous_commit = on
CONF
  fi
}

start() {
  install
  if as_pg "$(pg_bin)/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
    log "PostgreSQL already running"
  else
    if port_open "$PG_PORT"; then die "port $PG_PORT is taken by another server; set DATABASE_URL to use it, or SUIVI_PG_PORT"; fi
    init_cluster
    log "starting PostgreSQL on 127.0.0.1:$PG_PORT (log $PG_LOG)"
    as_pg touch "$PG_LOG" 2>/dev/null || { touch "$PG_LOG"; chown postgres "$PG_LOG"; }
    as_pg "$(pg_bin)/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 start >/dev/null || die "PostgreSQL did not start, see $PG_LOG"
  fi
  head -1 "$PG_DATA/postmaster.pid" > "$PG_PIDFILE"
  ensure_role_and_db
}

psql_admin() { as_pg psql -X -q -v ON_ERROR_STOP=1 -h "$PG_RUN" -p "$PG_PORT" -U postgres "$@"; }

ensure_role_and_db() {
  psql_admin -d postgres <<SQL
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L CREATEDB', '$PG_USER', '$PG_PASSWORD')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$PG_USER') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', '$PG_DB', '$PG_USER')
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$PG_DB') \gexec
SQL
}

stop() {
  if [ -f "$PG_DATA/postmaster.pid" ]; then
    log "stopping PostgreSQL"
    # Fast shutdown: rolls back open transactions, then a clean checkpoint.
    as_pg "$(pg_bin)/pg_ctl" -D "$PG_DATA" -m fast -w -t "$STOP_GRACE_SECONDS" stop >/dev/null 2>&1 \
      || { log "fast shutdown timed out: immediate"; as_pg "$(pg_bin)/pg_ctl" -D "$PG_DATA" -m immediate stop >/dev/null 2>&1 || true; }
  else
    log "PostgreSQL is not running"
  fi
  rm -f "$PG_PIDFILE"
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) if [ -f "$PG_DATA/postmaster.pid" ] && as_pg "$(pg_bin)/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then echo "PostgreSQL running"; else echo "PostgreSQL stopped"; exit 3; fi ;;
  *) echo "usage: $0 install|start|stop|status" >&2; exit 2 ;;
esac
