#!/usr/bin/env bash
# The benchmark, in one go, on this machine (not part of the test suite):
#   1. native (bench/harness/native.sh): parse speed of the full train.csv; CPU training
#      images/second of `baseline` and `default`, Atelier against Keras (TensorFlow CPU, in
#      bench-out/venv);
#   2. browser (bench/harness/browser.mjs): the page's parse time against papaparse; `baseline`
#      training on WebGPU and the CPU backend against TensorFlow.js's webgl, webgpu, wasm and cpu
#      backends (bench/peers/); longest main-thread task and peak memory of every run; .wasm sizes;
#   3. drawing to prediction (bench/harness/draw.mjs);
# then bench/harness/report.py: one table with ratios and targets, printed and written to
# bench-out/report.md and bench-out/bench.json. bench/README.md maps the rest of bench/.
#   bench/run.sh                 everything (installs what is missing, builds the release app)
#   BUILD=0 bench/run.sh         reuse dist/ as it is
#   ROUNDS=3 BROWSER_ROUNDS=2    rounds of the native and browser comparisons
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

scripts/setup.sh test
if [ ! -d bench/peers/node_modules/@tensorflow/tfjs-backend-wasm ] || [ ! -d bench/peers/node_modules/papaparse ]; then
  (cd bench/peers && npm ci --no-audit --no-fund --loglevel=error)
fi
cargo build --release --quiet --bin atelier
if [ "${BUILD:-1}" != 0 ]; then
  trunk build --release --offline --skip-version-check
fi

ROUNDS=${ROUNDS:-3} bench/harness/native.sh
ROUNDS=${BROWSER_ROUNDS:-2} node bench/harness/browser.mjs
node bench/harness/draw.mjs >&2
python3 bench/harness/report.py | tee bench-out/report.md
