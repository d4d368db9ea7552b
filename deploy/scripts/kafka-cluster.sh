#!/usr/bin/env bash
# A local KRaft cluster of N combined broker+controller nodes, apart from `make up`'s broker:
# own ports, own data directories, the same jars. For fault injection (make chaos) and for
# trying the three-broker settings (docs/operations.md). Idempotent: running nodes are left be.
#   kafka-cluster.sh start | stop | status | start-node I | bootstrap
# Settings: SUIVI_KAFKA_CLUSTER_SIZE (3), SUIVI_KAFKA_CLUSTER_PORT (19092: node i listens on
# PORT+2(i-1), its controller on the next port), SUIVI_KAFKA_CLUSTER_DIR
# ($SUIVI_STATE_DIR/kafka-cluster), SUIVI_KAFKA_CLUSTER_HEAP (384m per node).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

SIZE="${SUIVI_KAFKA_CLUSTER_SIZE:-3}"
BASE_PORT="${SUIVI_KAFKA_CLUSTER_PORT:-19092}"
CLUSTER_DIR="${SUIVI_KAFKA_CLUSTER_DIR:-$SUIVI_STATE_DIR/kafka-cluster}"
HEAP="${SUIVI_KAFKA_CLUSTER_HEAP:-384m}"
# The jars `kafka.sh install` fetched for the shared broker (never fetched twice).
LIBS="$SUIVI_ROOT/.local/kafka/libs"

port_of() { echo $((BASE_PORT + 2 * ($1 - 1))); }
controller_of() { echo $((BASE_PORT + 2 * ($1 - 1) + 1)); }
node_dir() { echo "$CLUSTER_DIR/node$1"; }
pidfile() { echo "$(node_dir "$1")/kafka.pid"; }
voters() {
  local i out=""
  for i in $(seq 1 "$SIZE"); do out+="${out:+,}$i@127.0.0.1:$(controller_of "$i")"; done
  echo "$out"
}
bootstrap() {
  local i out=""
  for i in $(seq 1 "$SIZE"); do out+="${out:+,}127.0.0.1:$(port_of "$i")"; done
  echo "$out"
}
# SUIVI_KAFKA_GC_OPTS: the JVM's collector flags, as for kafka.sh.
read -r -a GC_OPTS <<< "${SUIVI_KAFKA_GC_OPTS:--XX:+UseG1GC -XX:MaxGCPauseMillis=20}"
# node_java I: sets JAVA_CMD, java for node I (its heap, its log directory, the shared jars).
node_java() {
  JAVA_CMD=(java -Xms128m "-Xmx$HEAP" "${GC_OPTS[@]}" -Djava.awt.headless=true
    "-Dlog4j2.configurationFile=$SUIVI_ROOT/deploy/kafka/log4j2.yaml"
    "-Dkafka.logs.dir=$(node_dir "$1")/logs" -cp "$LIBS/*")
}

configure() {
  local i="$1" dir rf isr
  dir="$(node_dir "$i")"
  rf=$((SIZE < 3 ? SIZE : 3)); isr=$((rf < 2 ? 1 : 2))
  mkdir -p "$dir/data" "$dir/logs"
  # The shared broker's file, with this node's id, ports, quorum and replication.
  sed -e "s#@DATA@#$dir/data#" -e "s#@PORT@#$(port_of "$i")#g" \
    -e "s#@CONTROLLER_PORT@#$(controller_of "$i")#g" \
    -e "s#^node.id=.*#node.id=$i#" -e "s#^controller.quorum.voters=.*#controller.quorum.voters=$(voters)#" \
    -e "s#^offsets.topic.replication.factor=.*#offsets.topic.replication.factor=$rf#" \
    -e "s#^transaction.state.log.replication.factor=.*#transaction.state.log.replication.factor=$rf#" \
    -e "s#^transaction.state.log.min.isr=.*#transaction.state.log.min.isr=$isr#" \
    -e "s#^share.coordinator.state.topic.replication.factor=.*#share.coordinator.state.topic.replication.factor=$rf#" \
    -e "s#^share.coordinator.state.topic.min.isr=.*#share.coordinator.state.topic.min.isr=$isr#" \
    -e "s#^default.replication.factor=.*#default.replication.factor=$rf#" \
    "$SUIVI_ROOT/deploy/kafka/server.properties" > "$dir/server.properties"
  if [ ! -f "$dir/data/meta.properties" ]; then
    # Every node of one cluster is formatted with the same cluster id.
    node_java "$i"
    [ -f "$CLUSTER_DIR/cluster.id" ] || \
      "${JAVA_CMD[@]}" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1 > "$CLUSTER_DIR/cluster.id"
    "${JAVA_CMD[@]}" kafka.tools.StorageTool format -t "$(cat "$CLUSTER_DIR/cluster.id")" \
      -c "$dir/server.properties" >>"$dir/logs/format.log" 2>&1 || die "format of node $i failed ($dir/logs)"
  fi
}

start_node() {
  local i="$1"
  if pid_alive "$(pidfile "$i")"; then return 0; fi
  if port_open "$(port_of "$i")"; then die "port $(port_of "$i") is taken by another process"; fi
  configure "$i"
  node_java "$i"
  nohup "${JAVA_CMD[@]}" kafka.Kafka "$(node_dir "$i")/server.properties" \
    >"$(node_dir "$i")/logs/stdout.log" 2>&1 < /dev/null &
  echo $! > "$(pidfile "$i")"
  log "node $i starting on 127.0.0.1:$(port_of "$i") (pid $!)"
}

start() {
  [ -d "$LIBS" ] || "$SUIVI_ROOT/deploy/scripts/kafka.sh" install
  mkdir -p "$CLUSTER_DIR"
  local i
  for i in $(seq 1 "$SIZE"); do start_node "$i"; done
  # A quorum needs a majority of nodes: wait until every node's port answers.
  for _ in $(seq 1 300); do
    local up=0
    for i in $(seq 1 "$SIZE"); do
      pid_alive "$(pidfile "$i")" || die "node $i exited (see $(node_dir "$i")/logs)"
      port_open "$(port_of "$i")" && up=$((up + 1))
    done
    [ "$up" -eq "$SIZE" ] && { log "cluster of $SIZE up: $(bootstrap)"; return 0; }
    sleep 0.2
  done
  die "the cluster did not come up within 60 s (see $CLUSTER_DIR/node*/logs)"
}

case "${1:-}" in
  start) start ;;
  start-node) start_node "${2:?node number}" ;;
  stop) for i in $(seq 1 "$SIZE"); do stop_pidfile "$(pidfile "$i")" "Kafka node $i"; done ;;
  status) for i in $(seq 1 "$SIZE"); do
      if pid_alive "$(pidfile "$i")"; then echo "node $i running (pid $(cat "$(pidfile "$i")"))"; else echo "node $i stopped"; fi
    done ;;
  bootstrap) bootstrap ;;
  pid) cat "$(pidfile "${2:?node number}")" ;;
  *) echo "usage: $0 start|stop|status|start-node I|bootstrap|pid I" >&2; exit 2 ;;
esac
