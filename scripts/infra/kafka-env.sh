# Shared settings of the local-broker scripts (sourced, not run).
# KAFKA_PORT picks the broker (controller on KAFKA_PORT+1); KAFKA_STATE_DIR holds its data, logs and pid.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
KAFKA_VERSION=${KAFKA_VERSION:-4.3.1}
LOG4J2_VERSION=${LOG4J2_VERSION:-2.25.4}
KAFKA_PORT=${KAFKA_PORT:-19092}
KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-$((KAFKA_PORT + 1))}
KAFKA_HOME_DIR=${KAFKA_HOME_DIR:-$ROOT/.kafka}
KAFKA_LIBS=$KAFKA_HOME_DIR/libs-$KAFKA_VERSION
KAFKA_STATE_DIR=${KAFKA_STATE_DIR:-$KAFKA_HOME_DIR/broker-$KAFKA_PORT}
KAFKA_PID_FILE=$KAFKA_STATE_DIR/kafka.pid
KAFKA_LOG=$KAFKA_STATE_DIR/logs/server.out

kafka_pid() {
  [ -f "$KAFKA_PID_FILE" ] || return 1
  local pid
  pid=$(cat "$KAFKA_PID_FILE")
  # A stale pid file may name a recycled pid: only a java process running kafka.Kafka counts.
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'kafka.Kafka'; then
    echo "$pid"
    return 0
  fi
  return 1
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
