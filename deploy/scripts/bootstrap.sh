#!/usr/bin/env bash
# Installs what a fresh machine lacks to build and test Suivi: uv, Java, Maven, PostgreSQL,
# headless Chromium and axe-core (browser tests of the status page), wrk (ingest benchmark), vegeta (end-to-end
# benchmark, when Go is there) and Prometheus.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
if ! command -v uv >/dev/null; then
  log "installing uv from PyPI"
  python3 -m pip install --quiet --user uv 2>/dev/null || python3 -m pip install --quiet uv
  hash -r
fi
command -v java >/dev/null || apt_install openjdk-17-jre-headless
command -v mvn >/dev/null || apt_install maven
# Debian's Chromium, driven by Playwright with executable_path; never a downloaded browser build.
[ -x /usr/bin/chromium ] || apt_install chromium fonts-dejavu-core
# The claim dossier PDF's fonts (docs/claims.md): DejaVu Sans, WenQuanYi Micro Hei for Chinese scans.
apt_install fonts-dejavu-core fonts-wqy-microhei
# axe-core (npm) for the browser tests' accessibility check (WCAG 2.2 AA rules).
"$SUIVI_ROOT/deploy/scripts/axe.sh"
command -v wrk >/dev/null || apt_install wrk
# vegeta (constant-rate load for bench/e2e_latency.py) is packaged by no Debian release: built
# from the Go module proxy when Go is there; the benchmark says so and stops when it is not.
if command -v go >/dev/null; then sh "$(dirname "${BASH_SOURCE[0]}")/vegeta.sh"; fi
# Debian's Prometheus (prometheus, promtool) for `make run`'s monitoring and the alert-rule tests.
# The package's own service would hold port 9090, which `make run` uses: keep it stopped.
if ! command -v prometheus >/dev/null || ! command -v promtool >/dev/null; then
  apt_install prometheus
  if command -v systemctl >/dev/null && systemctl is-active --quiet prometheus 2>/dev/null; then
    log "stopping Debian's prometheus service ('make run' starts its own on 127.0.0.1:9090)"
    as_root systemctl disable --now prometheus >/dev/null 2>&1 || true
  fi
fi
[ -n "${DATABASE_URL:-}" ] || "$SUIVI_ROOT/deploy/scripts/postgres.sh" install
[ -n "${KAFKA_BOOTSTRAP_SERVERS:-}" ] || "$SUIVI_ROOT/deploy/scripts/kafka.sh" install
