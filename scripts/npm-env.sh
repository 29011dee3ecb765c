#!/usr/bin/env bash
# Creates (or refreshes) target/npm: the npm Delta Sharing client (delta-sharing 0.0.2) and the HTTP library
# its REST client uses (axios), for the tests' npm recipient (testing/npm/recipient.js). Installs Node.js and
# npm with apt-get when missing. Safe to run again: it does nothing while the pins below are unchanged.
#
# Only the client's REST client is installed: its main module also loads a reader that needs `request`
# (not among its dependencies) and danfojs-node (TensorFlow's native binaries, downloaded by an install
# script), and that reader's loadAsPandas is unfinished in 0.0.2. The REST client is what talks to a server.
set -euo pipefail
cd "$(dirname "$0")/.."
CLIENT=delta-sharing@0.0.2
AXIOS=axios@1.21.1
DIR=target/npm
STAMP="$DIR/.pins"
want="$CLIENT $AXIOS"
if [ -f "$DIR/node_modules/delta-sharing/rest-client.js" ] && [ "$(cat "$STAMP" 2>/dev/null || true)" = "$want" ]; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "Installing nodejs and npm ..."
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs npm >/dev/null
fi
rm -rf "$DIR"
mkdir -p "$DIR"
echo "Installing the tests' npm packages into $DIR ..."
(cd "$DIR" && echo '{"name": "tablegate-npm-recipient", "private": true}' > package.json \
  && npm install -q --ignore-scripts --no-audit --no-fund "$AXIOS" >/dev/null \
  && npm pack -q "$CLIENT" >/dev/null && mkdir -p node_modules/delta-sharing && tar xzf delta-sharing-*.tgz -C node_modules/delta-sharing --strip-components=1 \
  && rm delta-sharing-*.tgz)
echo "$want" > "$STAMP"
