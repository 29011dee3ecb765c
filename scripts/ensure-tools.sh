#!/usr/bin/env bash
# Installs what the build needs when missing: JDK 17 and Maven; with --test also redis-server (the
# tests start their own Redis on a free port; nothing is started here) and the tests' Python
# environment (target/python: deltalake, pyiceberg, delta-sharing; see scripts/python-env.sh) and the
# npm client (target/npm, scripts/npm-env.sh);
# with --bench also nginx.
# Debian/Ubuntu, root or sudo.
set -euo pipefail
need=()
command -v java >/dev/null 2>&1 || need+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || need+=(maven)
if [ "${1:-}" = "--test" ] || [ "${1:-}" = "--bench" ]; then
  command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || need+=(redis-server)
  # the topology test and the benchmarks put two gateways behind nginx (the benchmarks also compare with it)
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
fi
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "Installing ${need[*]} ..."
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
if [ "${1:-}" = "--test" ]; then
  "$(dirname "$0")/python-env.sh"
  "$(dirname "$0")/npm-env.sh"
fi
