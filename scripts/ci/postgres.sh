# Sourced by scripts/test_all.sh: makes sure DATABASE_URL points at a PostgreSQL the tests may use.
# - DATABASE_URL already set: used as is (tests create and drop their own throwaway databases in it).
# - root with Debian's PostgreSQL 15 cluster (CI): starts it, creates a throwaway role and database.
# - otherwise with PostgreSQL binaries: a temporary cluster owned by the current user, on a free port.
# - no PostgreSQL at all: says so loudly; the database suites skip (and fail under CI=true).

pg_bin_dir() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

if [ -n "${DATABASE_URL:-}" ]; then
  echo "test:all: using the PostgreSQL in DATABASE_URL"
elif [ "$(id -u)" = "0" ] && command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql/15/main ]; then
  pg_ctlcluster 15 main start 2>/dev/null || pg_ctlcluster 15 main status >/dev/null
  for _ in $(seq 1 30); do pg_isready -q -h localhost -p 5432 && break; sleep 0.5; done
  su postgres -c "psql -v ON_ERROR_STOP=1 -q" <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'leadsignal_test') THEN
    CREATE ROLE leadsignal_test LOGIN SUPERUSER PASSWORD 'leadsignal_test';
  END IF;
END $$;
SQL
  su postgres -c "psql -q -tc \"SELECT 1 FROM pg_database WHERE datname = 'leadsignal_test'\"" | grep -q 1 ||
    su postgres -c "createdb -O leadsignal_test leadsignal_test"
  export DATABASE_URL="postgres://leadsignal_test:leadsignal_test@localhost:5432/leadsignal_test"
  echo "test:all: PostgreSQL 15 cluster started; DATABASE_URL=$DATABASE_URL"
elif [ -n "$(pg_bin_dir)" ] && [ "$(id -u)" != "0" ]; then
  PG_TMP="$(mktemp -d)"
  PG_PORT="$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
  "$(pg_bin_dir)/initdb" -D "$PG_TMP/data" -U postgres -A trust >/dev/null
  "$(pg_bin_dir)/pg_ctl" -D "$PG_TMP/data" -o "-p $PG_PORT -k $PG_TMP -c listen_addresses=127.0.0.1" -l "$PG_TMP/log" -w start >/dev/null
  trap '"$(pg_bin_dir)/pg_ctl" -D "$PG_TMP/data" -m fast stop >/dev/null; rm -rf "$PG_TMP"' EXIT
  export DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
  echo "test:all: temporary PostgreSQL cluster on port $PG_PORT"
else
  echo "test:all: WARNING — no PostgreSQL found and DATABASE_URL is unset: the database suites will SKIP." >&2
  echo "          Install it (Debian/Ubuntu: apt-get install -y postgresql) or set DATABASE_URL." >&2
fi
