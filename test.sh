#!/bin/sh
# Install everything and run the whole test suite: lint, language catalogs, tests.
# PostgreSQL lane: set PARLIAMENT_TEST_POSTGRESQL_URL (CI does) and every database test runs on
# SQLite and on PostgreSQL.
set -eu
cd "$(dirname "$0")"
sh scripts/bootstrap.sh test
VENV="${PARLIAMENT_VENV:-.venv}"
echo "==> ruff"
"$VENV/bin/ruff" check .
echo "==> language catalogs"
"$VENV/bin/parliament" i18n check
echo "==> tests (engines: sqlite${PARLIAMENT_TEST_POSTGRESQL_URL:+, postgresql})"
exec "$VENV/bin/python" -m pytest "$@"
