#!/usr/bin/env bash
# Native benchmark, side by side in one run on one machine:
#   - CSV parse speed of the full 133 MB train.csv (written from the Debian IDX files);
#   - training images/second of `baseline` and `default` on Atelier's CPU backend, and of the
#     same models in Keras (TensorFlow CPU, installed here into bench-out/venv), same images,
#     same batch sizes, rounds interleaved so that a noisy machine hurts both alike.
# Writes bench-out/native.json (bench/run.sh runs this, then the browser parts). Not part of the
# test suite.
#   ROUNDS=3 LIMIT=12500 bench/harness/native.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=bench-out
ROUNDS=${ROUNDS:-3}
LIMIT=${LIMIT:-12500}
DATA=/usr/share/datasets/fashion-mnist
TF_VERSION=2.21.0
mkdir -p "$OUT"

cargo build --release --quiet --bin atelier
A=target/release/atelier
[ -f "$OUT/train.csv" ] || $A export-csv --input "$DATA/train-images-idx3-ubyte.gz" --out "$OUT/train.csv"
if ! "$OUT/venv/bin/python" -c "import tensorflow" 2>/dev/null; then
  python3 -m venv "$OUT/venv"
  "$OUT/venv/bin/pip" install -q "tensorflow-cpu==$TF_VERSION"
fi

results="$OUT/native.jsonl"
: > "$results"
record() { printf '{"who":"%s","model":"%s","round":%s,"result":%s}\n' "$1" "$2" "$3" "$4" >> "$results"; }

echo "parsing $OUT/train.csv ..." >&2
record atelier parse 0 "$($A bench-parse "$OUT/train.csv" --repeat 5)"

# model:batch-size, as each model is meant to be trained.
for round in $(seq 1 "$ROUNDS"); do
  for pair in baseline:32 default:64; do
    model=${pair%%:*}; batch=${pair##*:}
    echo "round $round: $model (batch $batch) ..." >&2
    ours=$($A train --train "$DATA/train-images-idx3-ubyte.gz" --model "$model" --epochs 2 \
      --limit "$LIMIT" --batch-size "$batch" --json 2>/dev/null | sed -n 2p)
    record atelier "$model" "$round" "$ours"
    keras=$("$OUT/venv/bin/python" bench/harness/keras_bench.py --model "$model" --limit "$LIMIT" \
      --batch-size "$batch" --epochs 2 2>/dev/null | tail -n 1)
    record keras "$model" "$round" "$keras"
  done
done
python3 bench/harness/summarize.py "$results" "$OUT/native.json" >&2
