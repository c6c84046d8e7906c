#!/bin/sh
# Install everything and start the app on the embedded SQLite default (./data/parliament.db).
set -eu
cd "$(dirname "$0")"
sh scripts/bootstrap.sh run
VENV="${PARLIAMENT_VENV:-.venv}"
"$VENV/bin/parliament" db upgrade
PORT="${PORT:-8501}"
echo "==> open http://localhost:$PORT (first visit: create the administrator)"
exec "$VENV/bin/streamlit" run streamlit_app.py --server.port "$PORT" --server.headless true \
  --browser.gatherUsageStats false "$@"
