#!/usr/bin/env bash
# Runs a command beside a throwaway PostgreSQL 15 server: a new cluster in a temporary directory,
# owned by a non-root user, on a free loopback port. SANAD_TEST_PG holds its URL. The server is
# stopped and the directory removed at the end, also when the command fails.
set -euo pipefail
bindir=/usr/lib/postgresql/15/bin
[ -x "$bindir/initdb" ] || { echo "PostgreSQL 15 is not installed (make deps)" >&2; exit 1; }
dir=$(mktemp -d /tmp/sanad-pg.XXXXXX)
as=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres "$dir"
  as=(runuser -u postgres --)
fi
cleanup() {
  "${as[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT INT TERM
port=""
for _ in $(seq 1 50); do
  p=$((20000 + RANDOM % 12000))  # below the kernel's range for outgoing connections
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port=$p; break; fi
done
[ -n "$port" ] || { echo "no free port found" >&2; exit 1; }
"${as[@]}" "$bindir/initdb" -D "$dir/data" -A trust -U sanad --encoding=UTF8 --locale=C >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }
"${as[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=200" \
  start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
"${as[@]}" "$bindir/../bin/psql" -h 127.0.0.1 -p "$port" -U sanad -d postgres -qAtc "CREATE DATABASE sanad_test" >/dev/null
export SANAD_REQUIRE_PG=1
export SANAD_TEST_PG="postgresql://sanad@127.0.0.1:$port/sanad_test"
echo "PostgreSQL 15 test server on 127.0.0.1:$port" >&2
set +e
"$@"
rc=$?
set -e
exit $rc
