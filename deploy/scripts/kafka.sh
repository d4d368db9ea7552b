#!/usr/bin/env bash
# Local Apache Kafka: single KRaft node (broker + controller) on 127.0.0.1, jars from Maven Central.
#   kafka.sh install | start | stop | status
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

KAFKA_HOME="$SUIVI_STATE_DIR/kafka"
KAFKA_LIBS="$KAFKA_HOME/libs"
KAFKA_DATA="$KAFKA_HOME/data"
KAFKA_CONF="$KAFKA_HOME/server.properties"
KAFKA_PID="$KAFKA_HOME/kafka.pid"
KAFKA_LOG="$KAFKA_HOME/logs"
POM="$SUIVI_ROOT/deploy/kafka/pom.xml"

install() {
  command -v java >/dev/null || apt_install openjdk-17-jre-headless
  command -v mvn >/dev/null || apt_install maven
  mkdir -p "$KAFKA_HOME"
  # Re-fetch only when the pom changed since the last copy.
  local stamp="$KAFKA_LIBS/.pom.sha256" want
  want="$(sha256sum "$POM" | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return 0; fi
  log "fetching Kafka jars from Maven Central"
  rm -rf "$KAFKA_LIBS"
  mvn -q -B -Dstyle.color=never -f "$POM" dependency:copy-dependencies -DoutputDirectory="$KAFKA_LIBS" \
    || die "mvn could not fetch the Kafka jars"
  echo "$want" > "$stamp"
}

# SUIVI_KAFKA_GC_OPTS: the JVM's collector flags (word-split), to try another on this machine.
read -r -a GC_OPTS <<< "${SUIVI_KAFKA_GC_OPTS:--XX:+UseG1GC -XX:MaxGCPauseMillis=20}"
JAVA_ARGS=(-Xms256m "-Xmx${SUIVI_KAFKA_HEAP:-512m}" "${GC_OPTS[@]}" -Djava.awt.headless=true
  "-Dlog4j2.configurationFile=$SUIVI_ROOT/deploy/kafka/log4j2.yaml" "-Dkafka.logs.dir=$KAFKA_LOG"
  -cp "$KAFKA_LIBS/*")
java_cmd() { java "${JAVA_ARGS[@]}" "$@"; }

configure() {
  mkdir -p "$KAFKA_DATA" "$KAFKA_LOG"
  sed -e "s#@DATA@#$KAFKA_DATA#" -e "s#@PORT@#$KAFKA_PORT#g" -e "s#@CONTROLLER_PORT@#$KAFKA_CONTROLLER_PORT#g" \
    "$SUIVI_ROOT/deploy/kafka/server.properties" > "$KAFKA_CONF"
  # Format the storage once; a formatted directory has meta.properties.
  if [ ! -f "$KAFKA_DATA/meta.properties" ]; then
    local cluster_id
    cluster_id="$(java_cmd kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)"
    log "formatting KRaft storage (cluster id $cluster_id)"
    java_cmd kafka.tools.StorageTool format -t "$cluster_id" -c "$KAFKA_CONF" >>"$KAFKA_LOG/format.log" 2>&1 \
      || die "storage format failed, see $KAFKA_LOG/format.log"
  fi
}

start() {
  if pid_alive "$KAFKA_PID"; then log "Kafka already running (pid $(cat "$KAFKA_PID"))"; return 0; fi
  if port_open "$KAFKA_PORT"; then die "port $KAFKA_PORT is taken by another process; set KAFKA_BOOTSTRAP_SERVERS to use it, or SUIVI_KAFKA_PORT"; fi
  install
  configure
  log "starting Kafka on 127.0.0.1:$KAFKA_PORT (logs in $KAFKA_LOG)"
  nohup java "${JAVA_ARGS[@]}" kafka.Kafka "$KAFKA_CONF" >"$KAFKA_LOG/stdout.log" 2>&1 < /dev/null &
  echo $! > "$KAFKA_PID"
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop_pidfile "$KAFKA_PID" Kafka ;;
  status) if pid_alive "$KAFKA_PID"; then echo "Kafka running (pid $(cat "$KAFKA_PID"))"; else echo "Kafka stopped"; exit 3; fi ;;
  *) echo "usage: $0 install|start|stop|status" >&2; exit 2 ;;
esac
