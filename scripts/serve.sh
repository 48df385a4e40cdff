#!/usr/bin/env bash
# Installs whatever is missing, then builds the app and serves it on http://127.0.0.1:8080
# (arguments go to `trunk serve`, e.g. --port 9000). From cold this takes a while: README.md says
# how long; cargo's and Trunk's progress shows as they go.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="$PWD/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

# `trunk serve` goes on serving after a failed build, and the page then has no app. So its first
# build's verdict is read from its log: a failure stops here, with the build's error and exit
# status 1. Later rebuilds (Trunk rebuilds when a file changes) may fail without stopping it.
# No live-reload script (--no-autoreload): it would log a console error on every load.
log=$(mktemp -d)/trunk.fifo
mkfifo "$log"
trunk serve --release --offline --skip-version-check --no-autoreload "$@" >"$log" 2>&1 &
trunk_pid=$!
trap 'kill "$trunk_pid" 2>/dev/null || true; rm -f "$log"' EXIT
trap 'exit 130' INT TERM

first_build=pending
while IFS= read -r line; do
  printf '%s\n' "$line"
  [ "$first_build" = pending ] || continue
  case "$line" in
    *"success"*) first_build=ok ;;
    *"❌"* | *"error from build pipeline"* | *"error from HTML pipeline"*)
      first_build=failed
      # The lines that explain the error follow at once; show them (not the server's
      # announcement after them), then stop.
      while IFS= read -r -t 2 line && [[ "$line" != *"📡"* ]]; do printf '%s\n' "$line"; done
      echo "scripts/serve.sh: the build failed (above); nothing is served" >&2
      exit 1
      ;;
  esac
done <"$log"
# Trunk stopped by itself (its log closed): pass on its exit status.
wait "$trunk_pid"
