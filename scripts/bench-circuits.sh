#!/usr/bin/env bash
# Server memory per open annotator task page (README, Performance: "Server memory per annotator page").
# Builds the portal and the benchmark in Release, then runs it: seeds a project with 200 annotators, opens their task pages
# in headless Chromium (Debian's), and prints the heap after a forced full GC at 0, 1, 50 and 200 open pages as JSON.
# Arguments go to the benchmark: --pages 50,200  --response-chars 2000  --parallel 4.  Not part of ./test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }
dotnet build src/Portal.Web -c Release -v quiet -nologo
dotnet build tests/Portal.CircuitBench -c Release -v quiet -nologo
exec dotnet tests/Portal.CircuitBench/bin/Release/net10.0/Portal.CircuitBench.dll "$@"
