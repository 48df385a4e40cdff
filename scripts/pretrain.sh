#!/usr/bin/env bash
# Trains the model the page ships (www/model/pretrained.atelier): the `vgg` preset with its
# recipe (train::recipe) on all 60,000 training images of the Debian package, scored on the
# 10,000 test images. About 22 minutes on 2 cores. Run scripts/setup.sh first (it installs the
# dataset).
set -euo pipefail
cd "$(dirname "$0")/.."
data=/usr/share/datasets/fashion-mnist
cargo run --release --bin atelier -- train \
  --train "$data/train-images-idx3-ubyte.gz" \
  --test "$data/t10k-images-idx3-ubyte.gz" \
  --model vgg --epochs 30 --batch-size 64 --learning-rate 0.001 --schedule cosine \
  --flip --translate 1 --val-split 0 --seed 12345 \
  --predictions target/pretrained-predictions.csv \
  --save-model www/model/pretrained.atelier
