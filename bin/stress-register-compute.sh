#!/usr/bin/env bash
# Issue 14's acceptance: the register_compute stress test, 20 runs in a row while the full
# vitest suite loads the machine (twice over). Needs CELLAR_TEST_DATABASE_URL or the machine's PostgreSQL.
set -uo pipefail
cd "$(dirname "$0")/.."
export CELLAR_TEST_DATABASE_URL="${CELLAR_TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/postgres}"
( npx vitest run >/tmp/cellar-load-1.log 2>&1; npx vitest run >/tmp/cellar-load-2.log 2>&1 ) &
load=$!
pass=0
for i in $(seq 1 20); do
  if npx vitest run server/boot/register-compute.test.ts >/tmp/cellar-stress-$i.log 2>&1; then pass=$((pass + 1)); echo "run $i: pass"; else echo "run $i: FAIL (see /tmp/cellar-stress-$i.log)"; fi
done
wait $load
echo "register-compute stress under the full suite's load: $pass of 20 passed"
[ "$pass" -eq 20 ]
