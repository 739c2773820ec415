#!/usr/bin/env bash
# Publishes the web app as the Dockerfile does, starts the published build on a free loopback port with a
# throwaway SQLite database, and checks that the sign-in page and its scripts are served. Exit 1 if not.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d /tmp/portal-publish.XXXXXX)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
./scripts/publish.sh "$work/app" >/dev/null

port=""
for p in $(seq 56100 56199); do
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port=$p; break; fi
done
(cd "$work" && Urls="http://127.0.0.1:$port" Jobs__Enabled=false exec dotnet app/Portal.Web.dll >"$work/log" 2>&1) &
pid=$!

fetch() { curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port$1" || true; }
for _ in $(seq 1 100); do
  [ "$(fetch /account/login)" = "200" ] && break
  sleep 0.3
done
status=0
for path in /account/login /_framework/blazor.web.js /_content/MudBlazor/MudBlazor.min.js /_content/MudBlazor/MudBlazor.min.css; do
  code=$(fetch "$path")
  if [ "$code" != "200" ]; then echo "publish smoke: $path answered $code"; status=1; fi
done
if [ $status -ne 0 ]; then cat "$work/log"; exit 1; fi
echo "publish smoke: the published app serves its sign-in page and scripts"
