#!/usr/bin/env bash
# Stops the local broker with SIGTERM (Kafka's shutdown hook flushes and closes cleanly), waits for
# it to exit, and escalates to SIGKILL only after KAFKA_STOP_TIMEOUT seconds. Idempotent.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/kafka-env.sh"

if ! pid=$(kafka_pid); then
  rm -f "$KAFKA_PID_FILE"
  echo "kafka-stop: no broker running on 127.0.0.1:$KAFKA_PORT"
  exit 0
fi
kill -TERM "$pid" 2>/dev/null || true
deadline=$((SECONDS + ${KAFKA_STOP_TIMEOUT:-60}))
while kill -0 "$pid" 2>/dev/null; do
  if [ $SECONDS -ge $deadline ]; then
    echo "kafka-stop: broker $pid did not stop in ${KAFKA_STOP_TIMEOUT:-60}s; killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  sleep 0.2
done
rm -f "$KAFKA_PID_FILE"
echo "kafka-stop: broker on 127.0.0.1:$KAFKA_PORT stopped (pid $pid)"
