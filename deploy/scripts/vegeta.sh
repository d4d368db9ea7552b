#!/bin/sh
# vegeta (a constant-rate HTTP load generator) for bench/e2e_latency.py: Debian packages no
# vegeta nor wrk2, so it is built from the Go module proxy into $(go env GOPATH)/bin. Idempotent.
set -eu
VERSION="${VEGETA_VERSION:-v12.13.0}"
BIN="$(go env GOPATH)/bin/vegeta"
if [ -x "$BIN" ]; then
    exit 0
fi
command -v go >/dev/null || { echo "vegeta.sh: Go is needed to build vegeta" >&2; exit 1; }
go install "github.com/tsenart/vegeta/v12@${VERSION}"
echo "vegeta.sh: installed $BIN"
