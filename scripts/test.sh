#!/usr/bin/env bash
# Installs whatever is missing, then runs every check and test Atelier has.
# This is the README's test command, and what CI runs (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

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

step "native tests on real Fashion-MNIST"
cargo test --release

step "build the app (release, wasm-opt)"
trunk build --release --offline --skip-version-check

step "browser tests in headless Chromium (WebGPU on SwiftShader, and the CPU backend)"
node --test --test-reporter=spec --test-concurrency=1 tests/e2e/
