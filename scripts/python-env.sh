#!/usr/bin/env bash
# Creates (or refreshes) the Python virtual environment of the tests, target/python, with the pinned
# packages of testing/python/requirements.txt: real table writers (deltalake, pyiceberg) and the real
# recipient (delta-sharing with pandas and pyarrow). Installs python3-venv with apt-get when needed.
# Safe to run again: it does nothing while the requirements are unchanged.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=target/python
REQ=testing/python/requirements.txt
STAMP="$VENV/.requirements.sha256"
want=$(sha256sum "$REQ" | cut -d' ' -f1)
if [ -x "$VENV/bin/python" ] && [ "$(cat "$STAMP" 2>/dev/null || true)" = "$want" ]; then
  exit 0
fi
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
PY=$(command -v python3.11 || command -v python3 || true)
if [ -z "$PY" ]; then
  echo "Installing python3 ..."
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3 python3-venv >/dev/null
  PY=$(command -v python3)
fi
"$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' || { echo "Python 3.10 or newer is needed, found $("$PY" --version)"; exit 1; }
rm -rf "$VENV"
mkdir -p target
if ! "$PY" -m venv "$VENV" >/dev/null 2>&1; then
  echo "Installing python3-venv ..."
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv >/dev/null
  rm -rf "$VENV"
  "$PY" -m venv "$VENV"
fi
echo "Installing the test's Python packages into $VENV ..."
"$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
"$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$REQ"
echo "$want" > "$STAMP"
