#!/usr/bin/env bash
# A PostgreSQL server for database sources on a developer's machine (the tests start their own cluster; this is for
# the sample, the benchmark and trying `ingest run` against a real database).
#
#   scripts/postgres.sh install          install the distribution's PostgreSQL packages when initdb is missing (Debian/Ubuntu)
#   scripts/postgres.sh start [port]     create (once) and start a cluster in .postgres/ on 127.0.0.1:<port> (default 55432)
#   scripts/postgres.sh stop             stop it
#   scripts/postgres.sh url              print its connection string (user ingest, password in .postgres/password)
#
# The cluster listens on loopback only and uses password (SCRAM) authentication; the password is generated once and kept in
# .postgres/password (git-ignored). When run as root, the server runs as the `postgres` OS user (PostgreSQL refuses root).
# Use it with:  export INGEST_ConnectionStrings__onprem="$(scripts/postgres.sh url)"
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD/.postgres"
port_file="$root/port"

bin_dir() {
  if [ -n "${INGEST_PG_BIN:-}" ]; then echo "$INGEST_PG_BIN"; return; fi
  local newest
  newest=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$newest" ] && [ -x "$newest/initdb" ] && { echo "$newest"; return; }
  command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return; }
  return 1
}

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
  install)
    if bin_dir >/dev/null; then echo "PostgreSQL is installed: $(bin_dir)"; exit 0; fi
    sudo_cmd=""; [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq postgresql >/dev/null
    echo "PostgreSQL installed: $(bin_dir)"
    ;;
  start)
    bin=$(bin_dir) || { echo "PostgreSQL is not installed: run scripts/postgres.sh install" >&2; exit 1; }
    port="${2:-55432}"
    mkdir -p "$root"
    if [ ! -f "$root/password" ]; then
      head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$root/password"
      chmod 600 "$root/password"
    fi
    [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$root"
    if [ ! -f "$root/data/PG_VERSION" ]; then
      as_owner "$bin/initdb" -D "$root/data" -U ingest --pwfile="$root/password" --auth-local=trust --auth-host=scram-sha-256 -E UTF8 >/dev/null
    fi
    echo "$port" > "$port_file"
    as_owner "$bin/pg_ctl" -D "$root/data" -l "$root/server.log" -w \
      -o "-p $port -k $root -c listen_addresses=127.0.0.1" start >/dev/null
    echo "PostgreSQL is running on 127.0.0.1:$port (log: $root/server.log)"
    ;;
  stop)
    bin=$(bin_dir)
    as_owner "$bin/pg_ctl" -D "$root/data" -m fast stop
    ;;
  url)
    [ -f "$port_file" ] || { echo "not started: scripts/postgres.sh start" >&2; exit 1; }
    echo "Host=127.0.0.1;Port=$(cat "$port_file");Username=ingest;Password=$(cat "$root/password");Database=postgres"
    ;;
  *)
    sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
