#!/usr/bin/env bash
# Starts or stops a throwaway PostgreSQL 15 server for the tests.
#
#   tests/support/pg_server.sh start DIR [PORT]   # prints the connection URL
#   tests/support/pg_server.sh stop DIR
#
# The cluster lives in DIR (created, owned by the `postgres` system user: PostgreSQL
# refuses to run as root) and listens only on a unix socket in DIR, never on TCP.
# `start` is idempotent: a server already running in DIR is reused. `stop` stops it and
# removes DIR; stopping what is not running is not an error.
set -euo pipefail

cmd=${1:?usage: pg_server.sh start|stop DIR [PORT]}
dir=${2:?usage: pg_server.sh start|stop DIR [PORT]}
port=${3:-54329}
bin=${ISOCOURSE_PG_BIN:-/usr/lib/postgresql/15/bin}

# As the postgres user when we are root; as ourselves otherwise.
as_pg() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

running() { [[ -f "$dir/data/postmaster.pid" ]] && as_pg "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; }

case "$cmd" in
  start)
    if [[ ! -x "$bin/initdb" ]]; then
      echo "pg_server.sh: no PostgreSQL in $bin (scripts/install-deps.sh --test installs it)" >&2
      exit 1
    fi
    # The path is predictable (under /tmp): never follow a link someone planted there.
    if [[ -L "$dir" ]]; then
      echo "pg_server.sh: $dir is a symbolic link; refusing to use it" >&2
      exit 1
    fi
    mkdir -p "$dir"
    if [[ $(id -u) -eq 0 ]]; then chown postgres: "$dir"; fi
    chmod 700 "$dir"
    if ! as_pg test -w "$dir"; then
      echo "pg_server.sh: the postgres user cannot write $dir (is a parent directory private?)" >&2
      exit 1
    fi
    if ! running; then
      if [[ ! -f "$dir/data/PG_VERSION" ]]; then
        rm -rf "$dir/data"
        as_pg "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-instructions \
          >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
      fi
      # listen_addresses='': unix socket only. fsync stays on: the store's durability
      # is part of what the tests exercise.
      as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses='' -c unix_socket_directories='$dir' -c unix_socket_permissions=0700 -p $port -c max_connections=200" \
        start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    fi
    echo "postgresql:///postgres?host=$dir&port=$port&user=postgres"
    ;;
  stop)
    if running; then
      as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "pg_server.sh: unknown command '$cmd' (start or stop)" >&2
    exit 2
    ;;
esac
