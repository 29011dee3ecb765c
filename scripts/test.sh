#!/usr/bin/env bash
# Runs every test of Tablegate (unit, integration, DAT conformance). Installs what the tests need.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-tools.sh --test
exec mvn -B -ntp verify "$@"
