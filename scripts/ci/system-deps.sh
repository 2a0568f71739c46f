# Sourced by scripts/test_all.sh: the system packages the test suite needs — Chromium for the browser
# tests and PostgreSQL 15 for the database suites. Missing ones are installed from the system's packages
# when this shell may (root with apt-get, as on CI and a fresh Debian/Ubuntu machine); otherwise it stops
# with one line saying what to install.

if [ -n "${CHROMIUM_PATH:-}" ] && [ ! -x "$CHROMIUM_PATH" ]; then
  echo "test:all: CHROMIUM_PATH=$CHROMIUM_PATH is not an executable; point it at a Chromium or unset it to use /usr/bin/chromium." >&2
  exit 1
fi

missing_system_packages() {
  local need=()
  [ -n "${CHROMIUM_PATH:-}" ] || [ -x /usr/bin/chromium ] || need+=(chromium)
  [ -n "${DATABASE_URL:-}" ] || ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || need+=(postgresql)
  echo "${need[@]:-}"
}

need="$(missing_system_packages)"
if [ -n "$need" ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "test:all: installing $need from the system's packages (apt-get) …"
    apt-get update -qq
    # shellcheck disable=SC2086 # one word per package
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null
  else
    echo "test:all: missing $need — install it first (Debian/Ubuntu: sudo apt-get install -y $need), or set CHROMIUM_PATH / DATABASE_URL." >&2
    exit 1
  fi
fi
