#!/bin/sh
# Install everything and run the whole test suite: lint, the layers contract, language catalogs,
# tests.
# PostgreSQL lane: set PARLIAMENT_TEST_POSTGRESQL_URL (CI does) and every service test runs on
# SQLite and on PostgreSQL. One layer: ./test.sh tests/unit (tests/services/<area>, tests/pages ...).
# Tests run on every core (pytest-xdist); PARLIAMENT_TEST_WORKERS=0 runs them in one process.
set -eu
cd "$(dirname "$0")"
sh scripts/bootstrap.sh test
VENV="${PARLIAMENT_VENV:-.venv}"
# The browser tests drive Debian's Chromium (never a downloaded browser build).
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "==> installing chromium for the browser tests"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "Chromium is missing: the browser tests will be skipped (sudo apt-get install chromium)." >&2
  fi
fi
# GNU gettext's msgfmt checks the catalogs as translators' tools do (tests/unit/test_catalogs.py).
if ! command -v msgfmt >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "==> installing gettext for the catalog check"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null
  else
    echo "msgfmt is missing: the msgfmt catalog check will be skipped (sudo apt-get install gettext)." >&2
  fi
fi
echo "==> ruff"
"$VENV/bin/ruff" check .
echo "==> layers contract (docs/architecture.md)"
"$VENV/bin/lint-imports"
echo "==> language catalogs"
"$VENV/bin/parliament" i18n check
echo "==> tests (engines: sqlite${PARLIAMENT_TEST_POSTGRESQL_URL:+, postgresql})"
exec "$VENV/bin/python" -m pytest -n "${PARLIAMENT_TEST_WORKERS:-auto}" --dist loadgroup "$@"
