#!/usr/bin/env bash
# `npm run bench`: every benchmark, in order, against one broker. Started once and left running
# between benches, so only the first bench (bench:bus) meets a cold broker JVM; each bench also
# warms up itself when run alone. Stops the broker at the end only if it started it.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

started=0
if ! bash scripts/infra/kafka-status.sh >/dev/null; then
  bash scripts/infra/kafka-start.sh || exit 1
  started=1
fi
failed=()
for bench in bus pipeline router meta email whatsapp normalize report; do
  echo "== bench:$bench"
  npm run --silent "bench:$bench" || failed+=("bench:$bench")
done
[ "$started" = 1 ] && bash scripts/infra/kafka-stop.sh
if [ ${#failed[@]} -gt 0 ]; then
  echo "failed: ${failed[*]}" >&2
  exit 1
fi
