#!/usr/bin/env bash
# Prints an SQLAlchemy URL of a reachable PostgreSQL server for the tests.
# Order: $AGENTLOCATOR_TEST_POSTGRES_URL if set; the local server on 127.0.0.1:5432; otherwise a
# throwaway cluster under ./var/pgtest started here (initdb + pg_ctl from the Debian packages,
# installed when missing). The tests create and drop their own database on that server.
set -euo pipefail
if [ -n "${AGENTLOCATOR_TEST_POSTGRES_URL:-}" ]; then echo "$AGENTLOCATOR_TEST_POSTGRES_URL"; exit 0; fi
if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  echo "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"; exit 0
fi
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bindir" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql postgresql-contrib >/dev/null
    bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  else
    echo "no PostgreSQL server reachable and none installable; set AGENTLOCATOR_TEST_POSTGRES_URL" >&2
    exit 1
  fi
fi
dir="$PWD/var/pgtest"
port=5499
as_pg=()
[ "$(id -u)" = 0 ] && as_pg=(runuser -u postgres --)
if ! pg_isready -q -h "$dir" -p "$port" 2>/dev/null; then
  if [ ! -f "$dir/PG_VERSION" ]; then
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    "${as_pg[@]}" "$bindir/initdb" -D "$dir" -A trust -U postgres >/dev/null
  fi
  "${as_pg[@]}" "$bindir/pg_ctl" -D "$dir" -l "$dir/server.log" \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1" -w start >/dev/null
fi
echo "postgresql+asyncpg://postgres@127.0.0.1:$port/postgres"
