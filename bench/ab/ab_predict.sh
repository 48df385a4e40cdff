#!/usr/bin/env bash
# Two native builds side by side on inference: `atelier predict` of a `default` model over the
# 10,000 Fashion-MNIST test images (each image classified, then the labelled set evaluated: two
# forward passes at batch 256, what validation and the predictions CSV cost), the binaries
# alternating in each round. Wall seconds per run, whole command. Not part of the test suite.
#   bench/ab/ab_predict.sh BEFORE_BINARY AFTER_BINARY [ROUNDS]
# The model (one epoch on 2,000 images: its accuracy does not matter here) is trained by AFTER.
set -euo pipefail
before=$1 after=$2 rounds=${3:-5}
DATA=/usr/share/datasets/fashion-mnist
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$after" train --train "$DATA/train-images-idx3-ubyte.gz" --model default --epochs 1 --limit 2000 \
  --save-model "$work/model" >/dev/null 2>&1

seconds() {
  local start end
  start=$(date +%s.%N)
  "$1" predict --model-file "$work/model" --test "$DATA/t10k-images-idx3-ubyte.gz" \
    --predictions "$work/$2.csv" >/dev/null 2>&1
  end=$(date +%s.%N)
  python3 -c "print(f'{$end - $start:.2f}')"
}

declare -a b a
for round in $(seq 1 "$rounds"); do
  b+=("$(seconds "$before" before)")
  a+=("$(seconds "$after" after)")
  echo "round $round: before ${b[-1]} s, after ${a[-1]} s"
done
if cmp -s "$work/before.csv" "$work/after.csv"; then
  echo "the two builds wrote the same predictions"
else
  echo "the predictions differ in $(diff "$work/before.csv" "$work/after.csv" | grep -c '^<') lines"
fi
python3 - "${b[*]}" "${a[*]}" <<'PY'
import statistics, sys
before, after = ([float(v) for v in arg.split()] for arg in sys.argv[1:])
mb, ma = statistics.median(before), statistics.median(after)
print(f"median: before {mb:.2f} s, after {ma:.2f} s: {mb / ma:.2f}x as fast")
print("per round: " + ", ".join(f"{b / a:.2f}x" for b, a in zip(before, after)))
PY
