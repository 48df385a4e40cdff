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
cargo fmt --all --check

step "layers: no import cycle between the modules of any crate"
python3 scripts/check-layers.py

step "no synchronous tensor read in the engine workers' code (it panics on WebGPU)"
python3 scripts/check-sync-reads.py

step "lint (native, all targets)"
cargo clippy --release --workspace --all-targets -- -D warnings

step "lint (browser: the page, and both engine workers)"
cargo clippy --release --target wasm32-unknown-unknown -p atelier -p atelier-browser -- -D warnings
cargo clippy --release --target wasm32-unknown-unknown -p atelier-worker --features gpu -- -D warnings
cargo clippy --release --target wasm32-unknown-unknown -p atelier-worker -- -D warnings

step "the page's WebAssembly carries no Burn (by its dependencies, no feature flag)"
page_crates=$(cargo tree -p atelier --target wasm32-unknown-unknown -e normal --prefix none -f '{p}')
if grep -E '^(burn|cubecl|cubek|wgpu)' <<< "$page_crates"; then
  echo "the page (package atelier) depends on Burn's crates above: only crates/worker may" >&2
  exit 1
fi

step "the CPU engine carries no GPU stack and no tuning cache"
# The CPU-only engine is the small download for browsers without a GPU adapter: no wgpu, no
# cubecl runtime, and none of the SQL engine (Turso) under cubecl's tuning cache, which the
# WebGPU engine carries on purpose (crates/engine/src/tuning_cache.rs; its price: BENCHMARKS.md,
# "WebAssembly size"). Burn's shared crates (cubecl-common and the like) are expected.
cpu_crates=$(cargo tree -p atelier-worker --target wasm32-unknown-unknown -e normal --prefix none -f '{p} [{f}]')
if grep -E '^(turso|wgpu|cubecl-runtime|cubecl-wgpu|cubek)|persistence' <<< "$cpu_crates"; then
  echo "the CPU engine (atelier-worker without gpu) depends on the GPU stack above" >&2
  exit 1
fi

step "native tests on real Fashion-MNIST"
cargo test --release --workspace

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
