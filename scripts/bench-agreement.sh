#!/usr/bin/env bash
# `portal agreement` against a vectorised pandas/numpy implementation of the same coefficient (Krippendorff's alpha,
# nominal), end to end (process start included), on the same seeded unit,rater,value CSV (README, "Agreement from the CLI").
#
#   scripts/bench-agreement.sh [ratings=1000000] [runs=5]
#
# Needs Debian's python3-numpy and python3-pandas (installed when missing) and publishes the CLI in Release, ReadyToRun.
# Prints each tool's median wall time and CPU time (user + system) over the runs, the ratios, and both answers (they must agree).
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

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Published ReadyToRun (precompiled: the run does not wait for the JIT), framework-dependent, as a CLI is shipped.
dotnet publish "$root/src/Portal.Cli" -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
  -o "$work/cli" -v quiet -nologo >/dev/null
portal="$work/cli/portal"
"$python" "$root/scripts/agreement/ratings.py" "$ratings" "$work/ratings.csv"
echo "ratings: $ratings ($(du -h "$work/ratings.csv" | cut -f1)), runs: $runs, cores: $(nproc), load: $(cut -d' ' -f1-3 /proc/loadavg)"

# Alternating runs, so a change in the machine's load falls on both.
: >"$work/portal.times"
: >"$work/pandas.times"
for _ in $(seq "$runs"); do
  /usr/bin/time -f "%e %U %S" -a -o "$work/portal.times" "$portal" agreement --input "$work/ratings.csv" --metric krippendorff >"$work/portal.json"
  /usr/bin/time -f "%e %U %S" -a -o "$work/pandas.times" "$python" "$root/scripts/agreement/krippendorff_pandas.py" "$work/ratings.csv" >"$work/pandas.json"
done

"$python" - "$work" <<'PY'
import json, statistics, sys
work = sys.argv[1]
def times(name):
    rows = [line.split() for line in open(f"{work}/{name}.times") if line[0].isdigit()]
    return statistics.median(float(r[0]) for r in rows), statistics.median(float(r[1]) + float(r[2]) for r in rows)
(portal, portal_cpu), (pandas, pandas_cpu) = times("portal"), times("pandas")
a, b = json.load(open(f"{work}/portal.json")), json.load(open(f"{work}/pandas.json"))
print(f"portal agreement: {portal:.2f} s   pandas/numpy: {pandas:.2f} s   ratio: {portal / pandas:.2f}x")
print(f"cpu (user + system): portal {portal_cpu:.2f} s   pandas/numpy: {pandas_cpu:.2f} s   ratio: {portal_cpu / pandas_cpu:.2f}x")
print(f"alpha: portal {a['value']!r}, pandas {b['value']!r}; units {a['units']} / {b['units']}, ratings {a['ratings']} / {b['ratings']}")
if abs(a["value"] - b["value"]) > 1e-9 or a["units"] != b["units"] or a["ratings"] != b["ratings"]:
    sys.exit("bench: the two answers differ")
PY
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
