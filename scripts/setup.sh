#!/usr/bin/env bash
# Installs what Atelier needs on a fresh Debian machine, skipping whatever is already there.
#   scripts/setup.sh        build and serve: wasm32 target, Trunk, wasm-bindgen, wasm-opt, data
#   scripts/setup.sh test   the same, plus Chromium and fonts for the tests
set -euo pipefail
cd "$(dirname "$0")/.."
# Where `cargo install` puts Trunk and wasm-bindgen: first on PATH, whatever else is there.
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

TRUNK_VERSION=0.21.14
WASM_BINDGEN_VERSION=0.2.130   # must equal the wasm-bindgen pin in Cargo.toml

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

packages=()
[ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || packages+=(dataset-fashion-mnist)
if [ "${1:-}" = test ]; then
  [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || packages+=(fonts-dejavu-core)
  command -v chromium >/dev/null || packages+=(chromium)
fi
if ((${#packages[@]})); then
  say "apt-get install ${packages[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# Every crate any build needs, for every target in Cargo.lock (wasm32's included): the builds
# run with --offline so that Trunk never downloads tools, and cargo inherits that flag.
say "cargo fetch (every crate the builds need; about a minute from an empty cache)"
cargo fetch --locked

if ! trunk --version 2>/dev/null | grep -qF "$TRUNK_VERSION"; then
  say "cargo install trunk $TRUNK_VERSION (about 10 minutes on 2 cores)"
  cargo install --locked trunk --version "$TRUNK_VERSION"
fi

if ! wasm-bindgen --version 2>/dev/null | grep -qF "$WASM_BINDGEN_VERSION"; then
  say "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  # Not --locked: its lockfile names a webpki-roots release the registry does not serve.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

if ! node_modules/.bin/wasm-opt --version 2>/dev/null | grep -q 'version 132' \
   || [ ! -d node_modules/playwright-core ] || [ ! -f node_modules/axe-core/axe.min.js ]; then
  say "npm ci (binaryen 132 for wasm-opt, playwright-core, axe-core)"
  npm ci --no-audit --no-fund --loglevel=error
fi
if [ ! -f www/sample/t10k-labels-idx1-ubyte.gz ]; then
  say "writing the page's sample from the Debian files"
  python3 scripts/make_sample.py
fi
say "ready"
