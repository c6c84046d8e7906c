#!/bin/sh
# Shared by run.sh and test.sh: a virtual environment in .venv with the project installed.
# Works on a fresh Debian with only Python 3.11: installs python3-venv when it is missing.
set -eu
cd "$(dirname "$0")/.."
VENV="${PARLIAMENT_VENV:-.venv}"

if [ ! -x "$VENV/bin/python" ]; then
  if ! python3 -m venv "$VENV" 2>/dev/null; then
    rm -rf "$VENV"
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "==> installing python3-venv"
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
      python3 -m venv "$VENV"
    else
      echo "Python's venv module is missing: run 'sudo apt-get install python3-venv', then retry." >&2
      exit 1
    fi
  fi
fi

stamp="$VENV/.installed-$(cat pyproject.toml | cksum | cut -d' ' -f1)-$1"
if [ ! -f "$stamp" ]; then
  echo "==> installing the project into $VENV"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  if [ "$1" = test ]; then
    "$VENV/bin/python" -m pip install --quiet -e ".[test]"
  else
    "$VENV/bin/python" -m pip install --quiet -e .
  fi
  touch "$stamp"
fi
