#!/usr/bin/env bash
# Prints whether the local broker runs; exit 0 when it does, 3 when it does not (LSB status codes).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/kafka-env.sh"

if pid=$(kafka_pid); then
  rss=$(awk '/VmRSS/ {print int($2/1024) " MB"}' "/proc/$pid/status" 2>/dev/null || echo "?")
  echo "kafka: running on 127.0.0.1:$KAFKA_PORT (pid $pid, RSS $rss, state $KAFKA_STATE_DIR)"
  exit 0
fi
if port_open "$KAFKA_PORT"; then
  echo "kafka: 127.0.0.1:$KAFKA_PORT answers but was not started by these scripts"
  exit 0
fi
echo "kafka: not running on 127.0.0.1:$KAFKA_PORT"
exit 3
