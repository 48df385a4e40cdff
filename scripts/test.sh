#!/usr/bin/env bash
# Installs whatever is missing, then runs every check and test Atelier has.
# This is the README's test command, and what CI runs (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
export PATH="$PWD/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

# Each step's header says how long the run has taken so far (CI allows 90 minutes in all).
step() { printf '\n\033[1m== %s\033[0m  (%dm%02ds in)\n' "$*" $((SECONDS / 60)) $((SECONDS % 60)); }

step "format"
cargo fmt --check

step "lint (native, all targets)"
cargo clippy --release --all-targets -- -D warnings

step "lint (browser: wasm32 library, page and both engine workers)"
cargo clippy --release --target wasm32-unknown-unknown --lib --bin atelier-web --bin atelier-worker \
  --features web,gpu -- -D warnings
cargo clippy --release --target wasm32-unknown-unknown --lib --bin atelier-worker-cpu \
  --features web -- -D warnings
# The page as Trunk builds it: without the engine (no Burn in its wasm).
cargo clippy --release --target wasm32-unknown-unknown --lib --bin atelier-web \
  --no-default-features --features web -- -D warnings

step "the browser's engines carry no on-disk autotune cache"
# cubecl's `persistence` feature (a default of its crates) compiles an SQL engine, Turso, into
# the WebGPU engine: 37% of its download, for a cache a browser cannot open. Cargo.toml turns it
# off for wasm32; a dependency that turns a crate's defaults back on would bring it back.
wasm_features=$(cargo tree --target wasm32-unknown-unknown --features web,gpu -e normal \
  --prefix none -f '{p} [{f}]')
if grep -E '^turso|persistence' <<< "$wasm_features"; then
  echo "the wasm32 build has cubecl's persistence (Turso) again: see Cargo.toml's burn entries" >&2
  exit 1
fi

step "native tests on real Fashion-MNIST"
cargo test --release

step "build the app for the browser tests (release; wasm-opt -Oz on all but the WebGPU engine)"
# index.html as shipped, except that the WebGPU engine skips wasm-opt: npm's wasm-opt is itself
# WebAssembly and takes 10-23 minutes on that one file on 2 cores, up to a quarter of CI's time.
# The page and the CPU-only engine are tested exactly as shipped. Built into its own folder, so
# dist/ keeps whatever `trunk build --release` (scripts/serve.sh, bench/run.sh) last made.
sed '/data-bin="atelier-worker"/ s/data-wasm-opt="z"/data-wasm-opt="0"/' index.html > e2e-index.html
[ "$(grep -c 'data-wasm-opt="0"' e2e-index.html)" = 1 ] \
  || { echo "e2e-index.html: expected index.html's WebGPU engine link with data-wasm-opt=\"z\"" >&2; exit 1; }
trunk build --release --offline --skip-version-check --dist target/e2e-dist e2e-index.html
export ATELIER_DIST=target/e2e-dist

step "browser tests in headless Chromium (WebGPU on SwiftShader, and the CPU backend)"
node --test --test-reporter=spec --test-concurrency=1 tests/e2e/

step "all passed"
