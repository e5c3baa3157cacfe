#!/usr/bin/env bash
# A throw-away PostgreSQL server for the tests, sourced by scripts/test.sh:
#   source scripts/postgres.sh && start_test_postgres    # exports OPSAGENT_TEST_POSTGRES_URL
# It installs PostgreSQL with apt-get when it is missing (Debian), creates a data directory
# in a temporary directory, starts the server as a non-root user on 127.0.0.1 and a free
# port, and stops it and removes the directory when the calling shell exits.

_pg_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    if [ -x "$dir/initdb" ]; then echo "$dir"; return 0; fi
  done
  return 1
}

start_test_postgres() {
  local bin user port tmp as
  if ! bin="$(_pg_bin)"; then
    echo "== installing PostgreSQL (apt-get)"
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
    bin="$(_pg_bin)"
  fi
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  tmp="$(mktemp -d /tmp/opsagent-pg.XXXXXX)"
  as=()
  if [ "$(id -u)" -eq 0 ]; then  # PostgreSQL refuses to run as root
    user=postgres
    id "$user" >/dev/null 2>&1 || useradd --system --no-create-home "$user"
    chown "$user" "$tmp"
    as=(runuser -u "$user" --)
  else
    user="$(id -un)"
  fi
  "${as[@]}" "$bin/initdb" -D "$tmp/data" -U opsagent --auth=trust -E UTF8 >/dev/null
  "${as[@]}" "$bin/pg_ctl" -D "$tmp/data" -l "$tmp/log" -w -o \
    "-h 127.0.0.1 -p $port -k $tmp -c fsync=on -c max_connections=200" start >/dev/null
  "${as[@]}" "$bin/createdb" -h 127.0.0.1 -p "$port" -U opsagent opsagent_test
  export OPSAGENT_TEST_POSTGRES_URL="postgresql://opsagent@127.0.0.1:$port/opsagent_test"
  _OPSAGENT_PG_STOP=("${as[@]}" "$bin/pg_ctl" -D "$tmp/data" -m fast -w stop)
  _OPSAGENT_PG_TMP="$tmp"
  trap stop_test_postgres EXIT
  echo "== PostgreSQL on 127.0.0.1:$port ($OPSAGENT_TEST_POSTGRES_URL)"
}

stop_test_postgres() {
  if [ -n "${_OPSAGENT_PG_TMP:-}" ]; then
    "${_OPSAGENT_PG_STOP[@]}" >/dev/null 2>&1 || true
    rm -rf "$_OPSAGENT_PG_TMP"
    _OPSAGENT_PG_TMP=""
  fi
}
