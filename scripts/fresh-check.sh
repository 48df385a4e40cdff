#!/usr/bin/env bash
# Proves the README's two commands on a fresh machine, as a new user meets them: a fresh clone of
# this repository's HEAD, an empty CARGO_HOME (every crate, Trunk and wasm-bindgen come again from
# the registry; only the Rust toolchain itself stays) and an empty npm cache. Then:
#   1. scripts/serve.sh builds and serves the app; headless Chromium loads it with no console
#      error, its engine reports a backend, and it trains the sample for one epoch on the CPU
#      backend (scripts/fresh-check-page.mjs);
#   2. with the build broken on purpose, scripts/serve.sh exits non-zero with cargo's error;
#   3. scripts/test.sh passes.
# Slow (the whole build from cold, twice the tools' installs: README.md says how long), so not
# part of scripts/test.sh.
#
#   scripts/fresh-check.sh [WORKDIR]     WORKDIR: an empty or new folder (default: a temporary one)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d -t atelier-fresh.XXXXXX)}
mkdir -p "$work"
work=$(cd "$work" && pwd)
[ -z "$(ls -A "$work")" ] || { echo "fresh-check: $work is not empty" >&2; exit 2; }
port=${FRESH_CHECK_PORT:-18080}

say() { printf '\n\033[1m[fresh-check]\033[0m %s\n' "$*"; }
minutes() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }
summary="$work/summary.txt"
record() { say "$*"; echo "$*" >>"$summary"; }

# The Rust toolchain's own commands (rustup's proxies), and none of what the user's CARGO_HOME/bin
# holds besides (Trunk, wasm-bindgen, ...), nor node_modules/.bin.
toolchain="$work/toolchain-bin"
mkdir -p "$toolchain"
for tool in cargo rustc rustup rustdoc rustfmt cargo-fmt cargo-clippy clippy-driver; do
  ln -s "$(command -v "$tool")" "$toolchain/$tool"
done
old_cargo_bin="${CARGO_HOME:-$HOME/.cargo}/bin"
clean_path=$toolchain
IFS=: read -ra entries <<<"$PATH"
for entry in "${entries[@]}"; do
  case "$entry" in "$old_cargo_bin" | *node_modules/.bin | "") continue ;; esac
  clean_path+=":$entry"
done
export PATH=$clean_path
export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
export CARGO_HOME="$work/cargo-home"
export npm_config_cache="$work/npm-cache"
unset CARGO_TARGET_DIR ATELIER_DIST
for tool in trunk wasm-bindgen; do
  ! command -v "$tool" >/dev/null || { echo "fresh-check: $tool is still on PATH ($(command -v "$tool"))" >&2; exit 2; }
done

say "cloning $(git -C "$root" rev-parse --short HEAD) into $work/atelier; CARGO_HOME=$CARGO_HOME (empty)"
git clone --quiet --no-local "$root" "$work/atelier"
cd "$work/atelier"
echo "commit $(git rev-parse --short HEAD), $(nproc) cores, $(date -u +%F)" >"$summary"

serve_pid=
stop_serving() { [ -z "$serve_pid" ] || { kill "$serve_pid" 2>/dev/null || true; wait "$serve_pid" 2>/dev/null || true; serve_pid=; }; }
trap stop_serving EXIT

say "1. scripts/serve.sh --port $port (log: $work/serve.log)"
start=$SECONDS
scripts/serve.sh --port "$port" > >(tee "$work/serve.log") 2>&1 &
serve_pid=$!
until curl -sf "http://127.0.0.1:$port/" 2>/dev/null | grep -q atelier-web; do
  kill -0 "$serve_pid" 2>/dev/null || { wait "$serve_pid" || true; echo "fresh-check: scripts/serve.sh stopped before serving" >&2; exit 1; }
  sleep 5
done
record "scripts/serve.sh from cold: serving after $(minutes $((SECONDS - start)))"

say "the page in headless Chromium (Chromium from scripts/setup.sh test)"
scripts/setup.sh test
node scripts/fresh-check-page.mjs "http://127.0.0.1:$port/"
record "the served page: no console error, an engine with a backend, one epoch of the sample on the CPU backend"
stop_serving

say "2. a build broken on purpose: scripts/serve.sh must stop with cargo's error"
# The core: every WebAssembly program depends on it, so each of Trunk's pipelines fails at
# once (Trunk reports a failure only when all its pipelines have ended).
broken=crates/core/src/lib.rs
echo 'compile_error!("broken on purpose by scripts/fresh-check.sh");' >>"$broken"
start=$SECONDS
if scripts/serve.sh --port "$port" >"$work/broken.log" 2>&1; then
  echo "fresh-check: scripts/serve.sh succeeded on a broken build" >&2; exit 1
fi
grep -q 'broken on purpose' "$work/broken.log" \
  || { echo "fresh-check: scripts/serve.sh failed without cargo's error ($work/broken.log)" >&2; exit 1; }
git checkout --quiet -- "$broken"
record "scripts/serve.sh on a broken build: exit non-zero with cargo's error after $(minutes $((SECONDS - start)))"

say "3. scripts/test.sh"
start=$SECONDS
scripts/test.sh
record "scripts/test.sh after serve.sh: passed in $(minutes $((SECONDS - start)))"

say "passed"
cat "$summary"
