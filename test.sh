#!/usr/bin/env bash
# Runs every test: unit tests, integration tests on SQLite and PostgreSQL, and browser tests in Chromium.
# Installs and starts what it needs (scripts/test-services.sh) and stops it at the end.
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

source scripts/test-services.sh

dotnet build Portal.sln -c Release -nologo -v q -clp:NoSummary
log=$(mktemp /tmp/portal-test.XXXXXX)
status=0
dotnet test Portal.sln -c Release --no-build -nologo 2>&1 | tee "$log" || status=$?

# One closing line for CI: the sums over every test project.
passed=$(grep -Eo 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -Eo 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
skipped=$(grep -Eo 'Skipped: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
# The names of failed tests again, so that the last lines of a long run (all CI keeps) say which ones,
# each with the first lines of its error message (up to its stack trace).
failures=$(awk '/^ +Failed [A-Za-z_.]+/ {n = 8} /^ +Stack Trace:/ {n = 0} n > 0 {print; n--}' "$log")
rm -f "$log"
# The release build the Dockerfile makes must start and serve its pages too.
if ! scripts/publish-smoke.sh; then status=1; fi
if [ -n "$failures" ]; then echo "failed tests:"; echo "$failures"; fi
echo "$passed passed, $failed failed, $skipped skipped"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then exit 1; fi
