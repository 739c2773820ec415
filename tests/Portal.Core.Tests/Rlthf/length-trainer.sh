#!/usr/bin/env bash
# A stand-in external reward trainer for tests (contract: docs/external-trainer.md).
# It "trains" by counting its training pairs and scores each pair by response length: margin = len(chosen) - len(rejected).
# Usage: length-trainer.sh TRAIN SCORE OUT [length|scores|fail|drop|duplicate|garbage|sleep]
set -euo pipefail
train=$1 score=$2 out=$3 mode=${4:-length}

[ -f "$train" ] || { echo "no training file at $train" >&2; exit 2; }
echo "trained on $(wc -l < "$train") pairs" >&2
echo "progress 0.5"

case $mode in
  fail) echo "CUDA out of memory (simulated)" >&2; exit 3 ;;
  sleep) sleep 30 ;;
  garbage) echo "not json" > "$out"; exit 0 ;;
esac

# The writer's key order is fixed: id, [external_id,] prompt, chosen, rejected.
awk -v mode="$mode" '
{
  id = $0; sub(/^\{"id":/, "", id); sub(/[,}].*/, "", id)
  c = $0; sub(/.*"chosen":\[\{"role":"assistant","content":"/, "", c); sub(/"\}\],"rejected".*/, "", c)
  r = $0; sub(/.*"rejected":\[\{"role":"assistant","content":"/, "", r); sub(/"\}\].*/, "", r)
  if (mode == "scores") printf "{\"id\":%s,\"score_chosen\":%d,\"score_rejected\":%d}\n", id, length(c), length(r)
  else printf "{\"id\":%s,\"margin\":%d}\n", id, length(c) - length(r)
  if (mode == "duplicate") printf "{\"id\":%s,\"margin\":0}\n", id
}' "$score" > "$out"

if [ "$mode" = drop ]; then sed -i '$d' "$out"; fi
echo "progress 1"
