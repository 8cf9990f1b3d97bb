#!/usr/bin/env bash
# Starts a single-node KRaft Apache Kafka broker from the Maven Central jars (no Docker).
# Idempotent: returns at once when this broker is already running. KAFKA_RESET=1 wipes its data first.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/kafka-env.sh"

java -version 2>&1 | grep -qE 'version "(1[7-9]|[2-9][0-9])' || { echo "kafka-start: Java 17+ is required" >&2; exit 1; }
mkdir -p "$KAFKA_HOME_DIR"

# One start at a time per broker: parallel jest workers or a second `npm start` wait here.
exec 9>"$KAFKA_HOME_DIR/.start-$KAFKA_PORT.lock"
flock 9

if pid=$(kafka_pid); then
  echo "kafka-start: already running on 127.0.0.1:$KAFKA_PORT (pid $pid)"
  exit 0
fi
if port_open "$KAFKA_PORT"; then
  echo "kafka-start: 127.0.0.1:$KAFKA_PORT is taken by another process; not starting a second broker" >&2
  exit 1
fi

if [ ! -f "$KAFKA_LIBS/.complete" ]; then
  echo "kafka-start: downloading Kafka $KAFKA_VERSION jars from Maven Central into $KAFKA_LIBS"
  command -v mvn >/dev/null || { echo "kafka-start: Maven (mvn) is required to fetch the broker jars" >&2; exit 1; }
  rm -rf "$KAFKA_LIBS.tmp"
  mvn -q -B -f "$ROOT/tools/kafka/pom.xml" -Dkafka.version="$KAFKA_VERSION" -Dlog4j2.version="$LOG4J2_VERSION" \
    org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$KAFKA_LIBS.tmp"
  rm -rf "$KAFKA_LIBS"
  mv "$KAFKA_LIBS.tmp" "$KAFKA_LIBS"
  touch "$KAFKA_LIBS/.complete"
fi

if [ "${KAFKA_RESET:-}" = "1" ]; then rm -rf "$KAFKA_STATE_DIR"; fi
mkdir -p "$KAFKA_STATE_DIR/data" "$KAFKA_STATE_DIR/logs"
sed -e "s#@DATA@#$KAFKA_STATE_DIR/data#" -e "s#@PORT@#$KAFKA_PORT#g" -e "s#@CONTROLLER_PORT@#$KAFKA_CONTROLLER_PORT#g" \
  "$ROOT/tools/kafka/server.properties.in" >"$KAFKA_STATE_DIR/server.properties"

# The cluster id is fixed per state dir so a restart reuses the formatted storage.
[ -s "$KAFKA_STATE_DIR/cluster.id" ] || java -cp "$KAFKA_LIBS/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1 >"$KAFKA_STATE_DIR/cluster.id"
if [ ! -f "$KAFKA_STATE_DIR/data/meta.properties" ]; then
  java -Xmx256m -Dlog4j2.configurationFile="$ROOT/tools/kafka/log4j2.properties" -cp "$KAFKA_LIBS/*" \
    kafka.tools.StorageTool format -t "$(cat "$KAFKA_STATE_DIR/cluster.id")" -c "$KAFKA_STATE_DIR/server.properties" \
    --ignore-formatted >"$KAFKA_STATE_DIR/logs/format.out" 2>&1 || { cat "$KAFKA_STATE_DIR/logs/format.out" >&2; exit 1; }
fi

: >"$KAFKA_LOG"
# setsid: the broker must outlive the caller (npm start, jest) and not get its terminal's Ctrl-C.
setsid nohup java -Xms256m -Xmx${KAFKA_HEAP_MAX:-768m} -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
  -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true \
  -Dlog4j2.configurationFile="$ROOT/tools/kafka/log4j2.properties" -Dkafka.logs.dir="$KAFKA_STATE_DIR/logs" \
  -cp "$KAFKA_LIBS/*" kafka.Kafka "$KAFKA_STATE_DIR/server.properties" >>"$KAFKA_LOG" 2>&1 </dev/null 9>&- &
echo $! >"$KAFKA_PID_FILE"

deadline=$((SECONDS + ${KAFKA_START_TIMEOUT:-90}))
until grep -q "Kafka Server started" "$KAFKA_LOG" && port_open "$KAFKA_PORT"; do
  if ! kafka_pid >/dev/null; then
    echo "kafka-start: broker exited during startup; last log lines:" >&2
    tail -n 40 "$KAFKA_LOG" >&2
    exit 1
  fi
  if [ $SECONDS -ge $deadline ]; then
    echo "kafka-start: broker not ready after ${KAFKA_START_TIMEOUT:-90}s; stopping it" >&2
    tail -n 40 "$KAFKA_LOG" >&2
    bash "$(dirname "${BASH_SOURCE[0]}")/kafka-stop.sh" >&2 || true
    exit 1
  fi
  sleep 0.2
done
echo "kafka-start: Kafka $KAFKA_VERSION ready on 127.0.0.1:$KAFKA_PORT (pid $(cat "$KAFKA_PID_FILE"), state $KAFKA_STATE_DIR)"
