#!/usr/bin/env bash
# Sourced by test.sh. Makes sure PostgreSQL and Chromium are installed (Debian packages), starts a throwaway
# PostgreSQL on 127.0.0.1 in a temporary directory, exports PORTAL_TEST_POSTGRES, and stops it on exit.

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "test: need root (or sudo) to install $*" >&2; return 1; fi
}

pg_bin=""
for v in 17 16 15 14 13; do
  if [ -x "/usr/lib/postgresql/$v/bin/initdb" ]; then pg_bin="/usr/lib/postgresql/$v/bin"; break; fi
done
missing=()
[ -n "$pg_bin" ] || missing+=(postgresql)
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  echo "test: installing ${missing[*]} (Debian packages)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  for v in 17 16 15 14 13; do
    if [ -x "/usr/lib/postgresql/$v/bin/initdb" ]; then pg_bin="/usr/lib/postgresql/$v/bin"; break; fi
  done
fi

pg_dir=$(mktemp -d /tmp/portal-pg.XXXXXX)
run_pg() {
  # initdb and postgres refuse to run as root: run them as the postgres user the Debian package creates.
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$pg_dir"
run_pg "$pg_bin/initdb" -D "$pg_dir/data" -U postgres --auth=trust -E UTF8 >"$pg_dir/initdb.log" 2>&1 \
  || { cat "$pg_dir/initdb.log" >&2; exit 1; }

# A port nobody listens on can still be taken between the check and the start (another run, or an outgoing
# connection's local port), so a failed start moves on to the next port.
pg_port=""
for p in $(seq 55432 55499); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then continue; fi
  if run_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 \
    -o "-h 127.0.0.1 -p $p -k $pg_dir -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null; then
    pg_port=$p; break
  fi
done
[ -n "$pg_port" ] || { echo "test: PostgreSQL did not start on any port in 55432-55499" >&2; cat "$pg_dir/server.log" >&2; exit 1; }

stop_test_services() {
  run_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$pg_dir"
}
trap stop_test_services EXIT

export PORTAL_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=postgres;Include Error Detail=true"
export PORTAL_REQUIRE_POSTGRES=1
export PORTAL_CHROMIUM=/usr/bin/chromium
echo "test: PostgreSQL on 127.0.0.1:$pg_port ($pg_dir), Chromium at $PORTAL_CHROMIUM"
