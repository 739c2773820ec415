#!/usr/bin/env bash
# The least SQL that does the assignment engine's work, run by pgbench: the yardstick for `portal bench tasks --provider
# postgres` (README, "Assignment engine"). Each pgbench transaction is one task of one annotator (the pgbench client):
# claim the highest-priority item under the overlap that this annotator has not rated (FOR UPDATE SKIP LOCKED), raise its
# claim and insert the lease in one statement; then mark the lease submitted and insert the answer in another.
#
#   scripts/pgbench-claims.sh "host=127.0.0.1 port=55432 user=postgres" [annotators=200] [items=1000] [overlap=3]
#
# Works on a scratch database it creates and drops. Prints pgbench's report and the overlap check.
set -euo pipefail
conn=${1:?give a libpq connection string, e.g. "host=127.0.0.1 port=55432 user=postgres"}
clients=${2:-200}
items=${3:-1000}
overlap=${4:-3}
db="portal_pgbench_$$_$RANDOM"
tasks_per_client=$(( items * overlap / clients ))
work=$(mktemp -d)
trap 'psql "$conn dbname=postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null; rm -rf "$work"' EXIT

psql "$conn dbname=postgres" -qc "CREATE DATABASE $db"
psql "$conn dbname=$db" -q <<SQL
CREATE TABLE items (id bigserial PRIMARY KEY, priority int NOT NULL, claimed int NOT NULL DEFAULT 0, overlap int);
CREATE INDEX ON items (priority DESC, id);
CREATE TABLE assignments (id bigserial PRIMARY KEY, item_id bigint NOT NULL REFERENCES items, annotator int NOT NULL, status int NOT NULL,
  leased_at timestamptz NOT NULL DEFAULT now(), closed_at timestamptz);
CREATE UNIQUE INDEX ON assignments (item_id, annotator) WHERE status IN (1, 2, 4);
CREATE TABLE annotations (id bigserial PRIMARY KEY, assignment_id bigint NOT NULL UNIQUE REFERENCES assignments, item_id bigint NOT NULL,
  annotator int NOT NULL, choice int NOT NULL, idempotency_key text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
INSERT INTO items (priority) SELECT g % 10 FROM generate_series(1, $items) g;
ANALYZE;
SQL

cat > "$work/task.sql" <<SQL
WITH candidate AS (
  SELECT i.id FROM items i
  WHERE i.claimed < COALESCE(i.overlap, $overlap)
    AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.item_id = i.id AND a.annotator = :client_id AND a.status IN (1, 2, 4))
  ORDER BY i.priority DESC, i.id LIMIT 1 FOR UPDATE SKIP LOCKED
), claimed AS (
  UPDATE items SET claimed = items.claimed + 1 FROM candidate WHERE items.id = candidate.id RETURNING items.id
)
, leased AS (
  INSERT INTO assignments (item_id, annotator, status) SELECT id, :client_id, 1 FROM claimed RETURNING id
)
SELECT COALESCE(max(id), 0) AS lease FROM leased \gset
WITH closed AS (
  UPDATE assignments SET status = 2, closed_at = now() WHERE id = :lease AND status = 1 RETURNING id, item_id, annotator
)
INSERT INTO annotations (assignment_id, item_id, annotator, choice, idempotency_key)
SELECT id, item_id, annotator, 1, md5(random()::text) FROM closed;
SQL

# Server CPU: the postmaster's own and reaped children's time plus its live children's (utime + stime, clock ticks), read
# from /proc when the server runs on this machine; pgbench's own CPU from the shell's `time`.
postmaster=$(head -1 "$(psql "$conn dbname=$db" -At -c "SHOW data_directory")/postmaster.pid" 2>/dev/null || true)
server_ticks() {
  [ -n "$postmaster" ] && [ -r "/proc/$postmaster/stat" ] || { echo ""; return; }
  local total=0 f
  for f in /proc/[0-9]*/stat; do
    read -r line < "$f" 2>/dev/null || continue
    line=${line##*) }
    set -- $line
    if [ "${f#/proc/}" = "$postmaster/stat" ]; then total=$(( total + ${12} + ${13} + ${14} + ${15} ))
    elif [ "$2" = "$postmaster" ]; then total=$(( total + ${12} + ${13} )); fi
  done
  echo "$total"
}

echo "pgbench: $clients annotators, $items items, overlap $overlap, $tasks_per_client tasks each (load: $(cut -d' ' -f1-3 /proc/loadavg))"
# A client that finds every remaining candidate locked (near the end) claims nothing in that transaction, so the rate that
# compares with the engine's is answers per second of the run.
started=$(date +%s.%N)
ticks_before=$(server_ticks)
TIMEFORMAT="%3U %3S"
{ time pgbench "$conn dbname=$db" -n -c "$clients" -j 2 -t "$tasks_per_client" -f "$work/task.sql" 2>&1 \
    | grep -Ev "^(pgbench \(|starting)" ; } 2> "$work/time"
seconds=$(echo "$(date +%s.%N) - $started" | bc -l)
ticks_after=$(server_ticks)
answers=$(psql "$conn dbname=$db" -At -c "SELECT count(*) FROM annotations")
read -r client_user client_sys < "$work/time"
echo "cost per answer: pgbench client CPU $(echo "scale=3; ($client_user + $client_sys) * 1000 / $answers" | bc -l) ms" \
  "$( [ -n "$ticks_before" ] && echo "; server CPU $(echo "scale=3; ($ticks_after - $ticks_before) * 10 / $answers" | bc -l) ms" )" \
  "(load: $(cut -d' ' -f1-3 /proc/loadavg))"
psql "$conn dbname=$db" -At -c "SELECT 'answers ' || count(*) || ' in ' || round($seconds, 1) || ' s (connections included): '
  || round(count(*) / $seconds, 1) || ' tasks/s; items over the overlap ' ||
  (SELECT count(*) FROM (SELECT item_id FROM annotations GROUP BY item_id HAVING count(*) > $overlap) o) ||
  ', duplicate ratings ' || (SELECT count(*) FROM (SELECT 1 FROM annotations GROUP BY item_id, annotator HAVING count(*) > 1) d) FROM annotations"
