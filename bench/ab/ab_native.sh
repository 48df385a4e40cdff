#!/usr/bin/env bash
# Two native builds side by side: `atelier train` of one model, the binaries alternating in
# each round, the second epoch's training images/second (the first warms up). Prints every
# round and the medians. Not part of the test suite.
#   MODEL=default BATCH=64 LIMIT=5000 bench/ab/ab_native.sh BEFORE_BINARY AFTER_BINARY [ROUNDS]
# Build the "before" binary from the commit to compare against, e.g.
#   git stash && cargo build --release --bin atelier && cp target/release/atelier /tmp/before
#   git stash pop && cargo build --release --bin atelier
set -euo pipefail
before=$1 after=$2 rounds=${3:-5}
MODEL=${MODEL:-default} BATCH=${BATCH:-64} LIMIT=${LIMIT:-5000}
DATA=/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz

second_epoch() {
  "$1" train --train "$DATA" --model "$MODEL" --epochs 2 --limit "$LIMIT" --batch-size "$BATCH" \
    --json 2>/dev/null | sed -n 2p | python3 -c 'import json,sys; print(round(json.load(sys.stdin)["images_per_second"]))'
}

declare -a b a
for round in $(seq 1 "$rounds"); do
  b+=("$(second_epoch "$before")")
  a+=("$(second_epoch "$after")")
  echo "round $round: before ${b[-1]}, after ${a[-1]} images/s ($MODEL, batch $BATCH)"
done
python3 - "${b[*]}" "${a[*]}" <<'PY'
import statistics, sys
before, after = ([float(v) for v in arg.split()] for arg in sys.argv[1:])
mb, ma = statistics.median(before), statistics.median(after)
print(f"median: before {mb:.0f}, after {ma:.0f} images/s: {ma / mb:.2f}x")
print("per round: " + ", ".join(f"{a / b:.2f}x" for b, a in zip(before, after)))
PY
