#!/usr/bin/env bash
# Fuzzes every reader of untrusted input with cargo-fuzz (libFuzzer; nightly for this job only),
# SECONDS per target, resuming from each target's corpus under crates/fuzz/corpus/ (seeded from
# the real Fashion-MNIST files on the first run). A crash stops the script with libFuzzer's
# report and the input under crates/fuzz/artifacts/TARGET/: make it a regression test in the
# crate whose reader it broke, fix it, and run again. Results go in docs/reliability.md.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     default: 900 seconds, every target
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
seconds="${1:-900}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(csv idx gzip model_file layer_json picture runs_file)

rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
cargo +nightly fuzz --version >/dev/null 2>&1 || cargo install cargo-fuzz --locked

# Seeds: small real files of each kind, written once.
seed() {
  local target="$1" dir="crates/fuzz/corpus/$1"
  [ -d "$dir" ] && return
  mkdir -p "$dir"
  local data=/usr/share/datasets/fashion-mnist
  cargo build --release --bin atelier -q
  local tmp
  tmp="$(mktemp -d)"
  ./target/release/atelier export-csv --input "$data/t10k-images-idx3-ubyte.gz" --out "$tmp/train.csv" --limit 3 >/dev/null 2>&1
  ./target/release/atelier export-csv --input "$data/t10k-images-idx3-ubyte.gz" --out "$tmp/test.csv" --limit 2 --no-labels >/dev/null 2>&1
  case "$target" in
    csv) { printf '\x07'; cat "$tmp/train.csv"; } > "$dir/train"; { printf '\x40'; cat "$tmp/test.csv"; } > "$dir/test" ;;
    idx) cp "$tmp/train.csv" "$dir/csv"; head -c 1584 <(gzip -dc "$data/t10k-images-idx3-ubyte.gz") > "$dir/images";
         head -c 10 <(gzip -dc "$data/t10k-labels-idx1-ubyte.gz") > "$dir/labels"; gzip -c "$tmp/train.csv" > "$dir/csv.gz" ;;
    gzip) gzip -c "$tmp/test.csv" | tail -c +11 > "$dir/deflate" ;;
    model_file) ./target/release/atelier train --train "$tmp/train.csv" --epochs 1 --val-split 0 \
                  --model "crates/fuzz/seeds/tiny.json" --save-model "$dir/tiny" >/dev/null 2>&1 ;;
    layer_json) cp crates/fuzz/seeds/tiny.json "$dir/tiny"; ./target/release/atelier summary --model default >/dev/null;
                printf '[{"type":"conv2d","filters":8,"kernel":3,"padding":"same","activation":"relu"},{"type":"batch-norm"},{"type":"max-pool","size":2},{"type":"dropout","rate":0.25},{"type":"flatten"},{"type":"dense","units":10}]' > "$dir/conv" ;;
    picture) head -c 4002 /dev/urandom > "$dir/noise" ;;
    runs_file) ./target/release/atelier train --train "$tmp/train.csv" --epochs 1 --val-split 0.34 \
                 --model "crates/fuzz/seeds/tiny.json" --run-record "$dir/tiny" >/dev/null 2>&1 ;;
  esac
  rm -rf "$tmp"
}

for target in "${targets[@]}"; do
  seed "$target"
  echo "== $target: ${seconds}s from $(find "crates/fuzz/corpus/$target" -type f | wc -l) corpus inputs"
  log="crates/fuzz/artifacts/$target.log"
  mkdir -p crates/fuzz/artifacts
  status=0
  cargo +nightly fuzz run --fuzz-dir crates/fuzz "$target" "crates/fuzz/corpus/$target" -- \
    -max_total_time="$seconds" -rss_limit_mb=1024 -timeout=10 -max_len=65536 -print_final_stats=1 \
    > "$log" 2>&1 || status=$?
  grep -E '^(stat::number_of_executed_units|Done)|panicked|ERROR|SUMMARY' "$log" || true
  if [ "$status" -ne 0 ]; then
    tail -40 "$log" >&2
    echo "$target: libFuzzer found a crash (crates/fuzz/artifacts/$target/, log $log)" >&2
    exit 1
  fi
  echo "== $target: corpus now $(find "crates/fuzz/corpus/$target" -type f | wc -l) inputs"
done
