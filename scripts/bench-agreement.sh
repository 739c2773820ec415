#!/usr/bin/env bash
# `portal agreement` against a vectorised pandas/numpy implementation of the same coefficient (Krippendorff's alpha,
# nominal), end to end (process start included), on the same seeded unit,rater,value CSV (README, "Agreement from the CLI").
#
#   scripts/bench-agreement.sh [ratings=1000000] [runs=5]
#
# Needs Debian's python3-numpy and python3-pandas (installed when missing) and builds the CLI in Release. Prints each
# tool's median wall time over the runs, the ratio, and both answers (they must agree).
set -euo pipefail
ratings=${1:-1000000}
runs=${2:-5}
root=$(cd "$(dirname "$0")/.." && pwd)
python=/usr/bin/python3
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "bench: need root (or sudo) to install $*" >&2; return 1; fi
}
if ! "$python" -c "import numpy, pandas" 2>/dev/null; then
  echo "bench: installing python3-numpy python3-pandas (Debian packages)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-numpy python3-pandas >/dev/null
fi

dotnet build "$root/src/Portal.Cli" -c Release -v quiet -nologo >/dev/null
portal="$root/src/Portal.Cli/bin/Release/net10.0/portal"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$python" "$root/scripts/agreement/ratings.py" "$ratings" "$work/ratings.csv"
echo "ratings: $ratings ($(du -h "$work/ratings.csv" | cut -f1)), runs: $runs, cores: $(nproc), load: $(cut -d' ' -f1-3 /proc/loadavg)"

# Alternating runs, so a change in the machine's load falls on both.
: >"$work/portal.times"
: >"$work/pandas.times"
for _ in $(seq "$runs"); do
  /usr/bin/time -f %e -a -o "$work/portal.times" "$portal" agreement --input "$work/ratings.csv" --metric krippendorff >"$work/portal.json"
  /usr/bin/time -f %e -a -o "$work/pandas.times" "$python" "$root/scripts/agreement/krippendorff_pandas.py" "$work/ratings.csv" >"$work/pandas.json"
done

"$python" - "$work" <<'PY'
import json, statistics, sys
work = sys.argv[1]
portal = statistics.median(float(t) for t in open(f"{work}/portal.times"))
pandas = statistics.median(float(t) for t in open(f"{work}/pandas.times"))
a, b = json.load(open(f"{work}/portal.json")), json.load(open(f"{work}/pandas.json"))
print(f"portal agreement: {portal:.2f} s   pandas/numpy: {pandas:.2f} s   ratio: {portal / pandas:.2f}x")
print(f"alpha: portal {a['value']!r}, pandas {b['value']!r}; units {a['units']} / {b['units']}, ratings {a['ratings']} / {b['ratings']}")
if abs(a["value"] - b["value"]) > 1e-9 or a["units"] != b["units"] or a["ratings"] != b["ratings"]:
    sys.exit("bench: the two answers differ")
PY
