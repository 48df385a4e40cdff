#!/usr/bin/env bash
# The device machine's one check, prepared here by bench/device/prepare.sh (which says how to
# call it). On a real GPU, natively through wgpu (Vulkan there; the same WGSL kernels the
# browser's WebGPU runs), the WebGPU engine's Burn features with autotune (as shipped) and
# without (the candidate): each epoch's seconds, so the first one's wait for kernels built,
# compiled and tuned, and the later epochs' training images/s; `baseline` at batch 32 and
# `default` at 64, rounds interleaved; then the CPU backend on that machine's cores for scale.
# Writes $OUT/device.jsonl, $OUT/run.log and $OUT/gpu.txt, and prints the table. Starts no run
# after BUDGET seconds, so that what it has comes back inside the call.
#   LIMIT=20000 EPOCHS=3 ROUNDS=2 BUDGET=300 bash bench/device/run.sh
# Runs here too (a software Vulkan driver, `apt-get install mesa-vulkan-drivers`, is enough to
# check the script; its figures mean nothing).
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-bench-out/device}
LIMIT=${LIMIT:-20000}
EPOCHS=${EPOCHS:-3}
ROUNDS=${ROUNDS:-2}
BUDGET=${BUDGET:-300}
DATA=.device/train-images-idx3-ubyte.gz
mkdir -p "$OUT"
LOG=$OUT/run.log
RESULTS=$OUT/device.jsonl
: > "$LOG"
: > "$RESULTS"
say() { echo "$*" | tee -a "$LOG" >&2; }

# The Vulkan loader, only where the machine has none (unpacking over a system's own can break it).
if ! ldconfig -p | grep -q 'libvulkan\.so\.1'; then
  for f in .gl/*.deb; do dpkg -x "$f" /; done
  ldconfig
fi
nvidia_icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -f "$nvidia_icd" ]; then
  export VK_DRIVER_FILES=$nvidia_icd
  export __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
fi
{ nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,memory.total --format=csv 2>&1 || true
  nproc; uname -m; ldd --version | head -1; } > "$OUT/gpu.txt"
say "$(cat "$OUT/gpu.txt")"

for variant in tuned untuned; do
  xz -dc ".device/atelier-$variant.xz" > "/tmp/atelier-$variant" && chmod +x "/tmp/atelier-$variant" || {
    say "no .device/atelier-$variant.xz: run bench/device/prepare.sh first"; exit 1; }
done

# run VARIANT DEVICE MODEL BATCH ROUND: one training, its epochs as one JSON line.
run() {
  local variant=$1 device=$2 model=$3 batch=$4 round=$5
  if (( SECONDS > BUDGET )); then
    say "skipped: $variant $device $model round $round (past BUDGET=${BUDGET}s)"
    return
  fi
  say "$variant $device $model batch $batch round $round (t=${SECONDS}s)"
  local epochs status
  epochs=$(timeout 120 "/tmp/atelier-$variant" train --train "$DATA" --device "$device" \
    --model "$model" --epochs "$EPOCHS" --limit "$LIMIT" --batch-size "$batch" --json \
    2> >(tee -a "$LOG" >&2))
  status=$?
  python3 - "$variant" "$device" "$model" "$batch" "$round" "$status" "$epochs" >> "$RESULTS" <<'PY'
import json, sys
variant, device, model, batch, round_, status, lines = sys.argv[1:]
epochs = [json.loads(l) for l in lines.splitlines() if l.startswith("{")]
print(json.dumps({"variant": variant, "device": device, "model": model, "batch": int(batch),
                  "round": int(round_), "status": int(status), "epochs": epochs}))
PY
}

# Fail fast, with what a reader needs, when wgpu finds no GPU.
if ! timeout 120 /tmp/atelier-tuned train --train "$DATA" --device wgpu --model baseline \
    --epochs 1 --limit 640 --json > /dev/null 2> >(tee -a "$LOG" >&2); then
  say "wgpu smoke run failed; Vulkan as seen here:"
  { ldconfig -p | grep -i vulkan; ls /usr/share/vulkan/icd.d /etc/vulkan/icd.d /usr/local/nvidia/share/vulkan/icd.d; env | grep -i -E 'vk_|egl'; } 2>&1 | tee -a "$LOG" >&2
  exit 1
fi

for round in $(seq 1 "$ROUNDS"); do
  for pair in baseline:32 default:64; do
    # Alternate which build goes first, so that neither always runs on a warmer machine.
    if (( round % 2 )); then order="tuned untuned"; else order="untuned tuned"; fi
    for variant in $order; do
      run "$variant" wgpu "${pair%%:*}" "${pair##*:}" "$round"
    done
  done
done
for pair in baseline:32 default:64; do
  run tuned cpu "${pair%%:*}" "${pair##*:}" 1
done
python3 bench/device/summarize.py "$RESULTS" | tee -a "$LOG"
