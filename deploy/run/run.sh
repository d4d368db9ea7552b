#!/usr/bin/env bash
# `make run`, once `make migrate` (hence `make up`: Kafka, PostgreSQL, the topics) is done: every
# process of deploy/Procfile under honcho (deploy/run/supervise.py), in the foreground. Ctrl-C
# stops them all (SIGTERM, SIGKILL after SUIVI_STOP_GRACE_SECONDS); Kafka and PostgreSQL stay
# up, as after `make up` (`make down` stops them).
#   SUIVI_RUN_DEMO=0   leave the demo out (then `make demo` in another terminal, any time)
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/common.sh"
cd "$SUIVI_ROOT"

ENV_FILE=deploy/run/dev.env
PROCFILE=deploy/Procfile
# Ports of the processes honcho starts (see $ENV_FILE): a taken one means another run is up.
PORTS=(8080 8081 8082 8083 8084 8086 8088 8089 8091 8092 2525 9090)

command -v prometheus >/dev/null || die "no prometheus: run 'make bootstrap'"
for port in "${PORTS[@]}"; do
  if port_open "$port"; then
    die "port $port is taken (is 'make run' already running?); free it and try again"
  fi
done

mkdir -p .local/prometheus/data .local/demo/mail

processes=(ingest normalizer projector projections-api notifier console peers prometheus)
[ "${SUIVI_RUN_DEMO:-1}" = 0 ] || processes+=(demo)

# The demo merchant's console owner (development only: a public password and TOTP secret).
DEMO_OWNER=owner@atelier.localhost
DEMO_PASSWORD=demo-console-password
DEMO_TOTP_SECRET=DEMOCONSOLETOTPSECRETDEVONLY2345
SUIVI_ENV=development SUIVI_ADMIN_PASSWORD="$DEMO_PASSWORD" SUIVI_ADMIN_TOTP_SECRET="$DEMO_TOTP_SECRET" \
  uv run --frozen suivi-admin create-merchant atelier --name "Atelier Comtois" \
  --email "$DEMO_OWNER" >/dev/null 2>&1 || true  # exists already after the first run

# Debian's Prometheus 2 ("2.42.0+ds") is built without the React UI: its pages live under
# /classic (/alerts is a 404 there); upstream 2.x and 3.x serve /alerts.
prometheus_alerts=/alerts
if prometheus --version 2>&1 | head -1 | grep -Eq 'version 2\.[0-9.]+\+ds'; then
  prometheus_alerts=/classic/alerts
fi
export SUIVI_PROMETHEUS_ALERTS_PATH=$prometheus_alerts  # the demo's summary prints it too
kafka="${KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:9092}"
postgres="${DATABASE_URL:-postgresql://suivi@127.0.0.1:${PG_PORT}/suivi}"
cat <<BANNER

  Suivi is starting (${processes[*]}); Ctrl-C stops it.

  Status pages, shopper lookup  http://127.0.0.1:8081/lookup/atelier   (API docs: /docs)
  Webhooks and order API        http://127.0.0.1:8080/v1/webhooks/{provider}, /v1/orders
  Notifier API                  http://127.0.0.1:8082/docs
  Merchant console              http://127.0.0.1:8091/signin   $DEMO_OWNER / $DEMO_PASSWORD
                                TOTP secret $DEMO_TOTP_SECRET (add it to an authenticator app)
  Prometheus: alerts, graphs    http://127.0.0.1:9090${prometheus_alerts}
  Metrics                       /metrics on ingest :8088, projections API :8089, notifier :8082,
                                normalizer :8083, projector :8084
  Mail, SMS, push received      .local/demo/mail/*.eml  .local/demo/sms.log  .local/demo/push.log
  Grafana dashboard (import)    deploy/grafana/dashboards/suivi.json
  Kafka $kafka   PostgreSQL ${postgres/:suivi@/@}   (they stay up after Ctrl-C; 'make down')

BANNER

status=0
uv run --frozen python deploy/run/supervise.py start -f "$PROCFILE" -e "$ENV_FILE" -d . \
  "${processes[@]}" || status=$?
# Ctrl-C (130) or SIGTERM (143) is how a run ends: say what is left, exit 0.
case "$status" in 130 | 143) status=0 ;; esac
log "every process of $PROCFILE has stopped; Kafka and PostgreSQL stay up ('make down' stops them)"
exit "$status"
