#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests and benchmarks: its own data folder, loopback only, a free port.
#
#   tests/tools/pg_server.sh start DIR   # init DIR (if new) and start; prints the URL: postgresql://zigzag:PW@127.0.0.1:PORT/zigzag
#   tests/tools/pg_server.sh stop DIR    # stop the server (the folder stays; delete it yourself)
#   tests/tools/pg_server.sh install     # apt-get install postgresql if initdb/pg_ctl are missing (Debian/Ubuntu)
#
# As root, the server runs as the `postgres` user (PostgreSQL refuses to run as root), created if missing.
# Settings: fsync off (a test server: the data are thrown away), max_connections 200.
set -euo pipefail

find_bin() {
  if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
    dirname "$(readlink -f "$(command -v pg_ctl)")"
    return 0
  fi
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [[ -n "$dir" && -x "$dir/pg_ctl" && -x "$dir/initdb" ]]; then
    echo "$dir"
    return 0
  fi
  return 1
}

as_owner() {  # run a command as the server's owner
  if [[ "$(id -u)" == 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

cmd=${1:-}
case "$cmd" in
  install)
    if find_bin >/dev/null; then exit 0; fi
    sudo=""
    if [[ "$(id -u)" != 0 ]]; then sudo="sudo"; fi
    $sudo apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >&2
    find_bin >/dev/null
    ;;
  start)
    dir=${2:?usage: pg_server.sh start DIR}
    bin=$(find_bin) || { echo "pg_server.sh: initdb/pg_ctl not found (run: $0 install)" >&2; exit 1; }
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    if [[ "$(id -u)" == 0 ]]; then
      id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
      chown postgres "$dir"
      chmod 0755 "$(dirname "$dir")" || true
    fi
    data="$dir/data"
    if [[ ! -f "$data/PG_VERSION" ]]; then
      password=$(python3 -c 'import secrets; print(secrets.token_hex(12))')
      echo "$password" >"$dir/password"
      chmod 0644 "$dir/password"
      as_owner "$bin/initdb" -D "$data" -U zigzag --pwfile="$dir/password" -A scram-sha-256 -E UTF8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    password=$(cat "$dir/password")
    if as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then  # already running: same URL
      echo "postgresql://zigzag:$password@127.0.0.1:$(cat "$dir/port")/zigzag"
      exit 0
    fi
    port=$(free_port)
    echo "$port" >"$dir/port"
    as_owner "$bin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 start \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c full_page_writes=off -c max_connections=200" \
      >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    if ! PGPASSWORD="$password" "$bin/psql" -h 127.0.0.1 -p "$port" -U zigzag -d postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname = 'zigzag'" | grep -q 1; then
      PGPASSWORD="$password" "$bin/psql" -h 127.0.0.1 -p "$port" -U zigzag -d postgres -qc "CREATE DATABASE zigzag" >/dev/null
    fi
    echo "postgresql://zigzag:$password@127.0.0.1:$port/zigzag"
    ;;
  stop)
    dir=${2:?usage: pg_server.sh stop DIR}
    bin=$(find_bin) || exit 0
    if [[ -f "$dir/data/postmaster.pid" ]]; then
      as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    ;;
  *)
    echo "usage: $0 start DIR | stop DIR | install" >&2
    exit 2
    ;;
esac
