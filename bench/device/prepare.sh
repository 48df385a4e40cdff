#!/usr/bin/env bash
# Prepares the device machine's one check (bench/device/run.sh) here, because that machine has
# no network, no Rust, no Node and no browser: two builds of the command line with the browser
# WebGPU engine's Burn features, with and without autotune (BENCHMARKS.md, "Autotune"),
# compressed, the Fashion-MNIST IDX files, Keras's wheels (the peer there trains through the
# machine's PyTorch), and the Vulkan loader's Debian packages
# (.library/device/README.md). Everything goes into .device/ and .gl/, both git-ignored, which
# the run carries:
#   bench/device/prepare.sh
#   run: command "bash bench/device/run.sh", carry [".device", ".gl"], timeout_s 420
# Takes ~25 minutes cold on 2 cores (cubecl and wgpu natively, twice over for the features),
# a minute when both builds are current.
set -euo pipefail
cd "$(dirname "$0")/../.."
REPO=$PWD
DEV=.device
DATA=/usr/share/datasets/fashion-mnist
KERAS_VERSION=3.15.1   # the Keras that bench/harness/native.sh's tensorflow-cpu brings
mkdir -p "$DEV" .gl

# libvulkan1 and friends for amd64, as the device README says: the machine has the NVIDIA
# driver's Vulkan ICD but not necessarily the loader.
if ! ls .gl/libvulkan1_*.deb >/dev/null 2>&1; then
  mkdir -p /tmp/amd64/partial
  apt_opts=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64)
  apt-get "${apt_opts[@]}" update -qq
  (cd .gl && apt-get "${apt_opts[@]}" download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
fi

for variant in tuned untuned; do
  case $variant in
    tuned) features=std,autotune,fusion ;;   # what the WebGPU engine ships
    untuned) features=std,fusion ;;          # the candidate
  esac
  copy=/tmp/atelier-device-$variant
  rm -rf "$copy" && mkdir -p "$copy"
  cp -r Cargo.toml Cargo.lock src crates "$copy/"
  python3 bench/device/engine_features.py "$copy/crates/engine/Cargo.toml" "$features"
  # The build must have autotune exactly when asked for, or the comparison means nothing.
  has_autotune=$(cargo tree --manifest-path "$copy/Cargo.toml" -p atelier-cli --features gpu -e features -i burn-wgpu \
    | grep -c 'burn-wgpu feature "autotune"' || true)
  case $variant:$has_autotune in
    tuned:0 | untuned:[1-9]*) echo "prepare.sh: $variant build has autotune=$has_autotune" >&2; exit 1 ;;
  esac
  echo "building the $variant command line (burn-wgpu: $features) ..." >&2
  CARGO_TARGET_DIR=$REPO/target cargo build --release --quiet -p atelier-cli --features gpu --bin atelier \
    --manifest-path "$copy/Cargo.toml"
  strip -o "$DEV/atelier-$variant" target/release/atelier
  xz -T0 -6 -f "$DEV/atelier-$variant"
done

# Keras 3 for the peer on that GPU, through the PyTorch already there (Python 3.12): keras and
# the two of its needs the machine lacks, as wheels (.library/device/README.md).
if ! ls "$DEV"/whl/keras-*.whl >/dev/null 2>&1; then
  python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 -d "$DEV/whl" \
    "keras==$KERAS_VERSION" namex optree
fi

for f in train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz; do
  cp -u "$DATA/$f" "$DEV/"
done
# The device machine's glibc must be at least the newest version the binary asks for.
xz -dc "$DEV/atelier-tuned.xz" > /tmp/atelier-glibc-check
echo "glibc wanted: $(objdump -T /tmp/atelier-glibc-check | grep -o 'GLIBC_[0-9.]*' | sort -V | tail -1)" >&2
du -ch "$DEV" .gl | tail -1 >&2
