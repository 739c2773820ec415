#!/usr/bin/env bash
# Re-measures the README's "Assignment engine" table in one go, all on 1,000 items at overlap 3 with a Release build: the
# engine's capacity on PostgreSQL (a closed loop without think time) with 200 and 500 annotators, its next-task latency at an
# offered rate (default 235 tasks/s: half of pgbench's rate, the goal of issue #14) with the same annotators thinking between
# tasks, SQLite's capacity with 200, and the bare-SQL yardstick (scripts/pgbench-claims.sh) right after. Each engine run prints
# one JSON object (throughput, latencies, round trips, checks, warm-up, pacing, and perAnswer: CPU ms of this process and of
# the PostgreSQL server, KiB allocated and JIT-compiled methods per answer, with the load average).
#
#   source scripts/test-services.sh        # a throwaway PostgreSQL (fsync off) and PORTAL_TEST_POSTGRES
#   scripts/bench-engine.sh                # or: scripts/bench-engine.sh "Host=…;Port=…;Username=…" [offered rate]
#
# The engine's connections get the portal's PostgreSQL defaults (prepared statements, no pool reset: DatabaseOptions); to
# measure without them, append them switched off to the server's connection string:
#   scripts/bench-engine.sh "$PORTAL_TEST_POSTGRES;Max Auto Prepare=0;No Reset On Close=false"
set -euo pipefail
cd "$(dirname "$0")/.."
server=${1:-${PORTAL_TEST_POSTGRES:?give the PostgreSQL server, or source scripts/test-services.sh first}}
rate=${2:-235}
dotnet build src/Portal.Cli -c Release -v q -nologo >/dev/null
portal() { dotnet src/Portal.Cli/bin/Release/net10.0/portal.dll "$@"; }
for n in 200 500; do
  echo "== PostgreSQL, $n annotators, capacity (no think time)"
  portal bench tasks --annotators "$n" --items 1000 --overlap 3 --provider postgres --connection "$server" 2>/dev/null
  echo "== PostgreSQL, $n annotators, $rate tasks/s offered"
  portal bench tasks --annotators "$n" --items 1000 --overlap 3 --rate "$rate" --provider postgres --connection "$server" 2>/dev/null
done
echo "== SQLite, 200 annotators"
portal bench tasks --annotators 200 --items 1000 --overlap 3 2>/dev/null
echo "== pgbench, 200 clients"
libpq=$(echo "$server" | tr ';' '\n' | awk -F= 'tolower($1)=="host"{h=$2} tolower($1)=="port"{p=$2} tolower($1)=="username"{u=$2} END{print "host=" h " port=" p " user=" u}')
scripts/pgbench-claims.sh "$libpq" 200 1000 3
