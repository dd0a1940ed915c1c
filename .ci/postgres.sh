# Sourced by .ci/run: a throwaway PostgreSQL server for the store tests.
# Debian's postgresql, run as its own user (initdb refuses root), on 127.0.0.1 only.
# Exports MONITOR_TEST_POSTGRES_URL (no password in it) and MONITOR_DB_PASSWORD.
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
if [ -z "$PG_BIN" ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
  $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql
  PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
fi
PG_USER="postgres"
if [ "$(id -u)" -eq 0 ]; then AS_PG=(runuser -u "$PG_USER" --); else AS_PG=(); PG_USER="$(id -un)"; fi
PG_DIR="$(mktemp -d /tmp/monitor-pg.XXXXXX)"
chown "$PG_USER" "$PG_DIR"
PG_PORT="${PG_PORT:-55432}"
MONITOR_DB_PASSWORD="ci-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
export MONITOR_DB_PASSWORD
"${AS_PG[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U "$PG_USER" --auth-local=trust \
  --auth-host=scram-sha-256 >/dev/null
"${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR" start >/dev/null
"${AS_PG[@]}" "$PG_BIN/psql" -h "$PG_DIR" -p "$PG_PORT" -U "$PG_USER" -d postgres -q \
  -c "CREATE USER monitor PASSWORD '$MONITOR_DB_PASSWORD'" -c "CREATE DATABASE monitor OWNER monitor"
export MONITOR_TEST_POSTGRES_URL="postgresql+psycopg://monitor@127.0.0.1:$PG_PORT/monitor"
trap '"${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null 2>&1 || true' EXIT
