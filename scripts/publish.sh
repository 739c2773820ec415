#!/usr/bin/env bash
# Restores and publishes the web app into the folder given (default: artifacts/publish).
# The Dockerfile and test.sh both run exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-artifacts/publish}"
dotnet restore src/Portal.Web/Portal.Web.csproj
dotnet publish src/Portal.Web/Portal.Web.csproj -c Release --no-restore -o "$out" -nologo -v q
