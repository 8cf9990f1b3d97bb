#!/usr/bin/env bash
# Makes sure the PostgreSQL of DATABASE_URL answers. On this machine kind the server is the
# machine's own (Debian cluster); when it is local and down, it is started with pg_ctlcluster.
set -euo pipefail
url=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
hostport=$(echo "$url" | sed -E 's#^[a-z]+://([^@/]*@)?([^/?]*).*#\2#')
host=${hostport%%:*}
port=${hostport##*:}
[ "$port" = "$hostport" ] && port=5432

ready() { pg_isready -q -h "$host" -p "$port" -t 2 2>/dev/null || (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; }

if ready; then exit 0; fi
if [[ "$host" == "127.0.0.1" || "$host" == "localhost" ]] && command -v pg_ctlcluster >/dev/null; then
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
  if [ -n "$version" ]; then
    echo "postgres-ensure: starting the local PostgreSQL $version cluster" >&2
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  fi
fi
for _ in $(seq 1 60); do ready && exit 0; sleep 0.5; done
echo "postgres-ensure: PostgreSQL at $host:$port does not answer (DATABASE_URL)" >&2
exit 1
