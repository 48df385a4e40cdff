#!/usr/bin/env bash
# The device machine's one check, prepared here by bench/device/prepare.sh (which says how to
# call it). On a real GPU, natively through wgpu (Vulkan there; the same WGSL kernels the
# browser's WebGPU runs), the WebGPU engine's Burn features with autotune (as shipped) and
# without (the candidate), and Keras 3 on the same GPU through PyTorch (the peer a student with
# a GPU would use): each epoch's seconds, so the first one's wait for kernels built, compiled
# and tuned, and the later epochs' training images/s; `baseline` at batch 32 and `default` at
# 64, rounds interleaved; then Atelier's CPU backend on that machine's cores for scale.
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
RUN_TIMEOUT=${RUN_TIMEOUT:-120}   # seconds, each training
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

# record VARIANT DEVICE MODEL BATCH ROUND STATUS EPOCHS [FRAMEWORK]: one training as one JSON line.
record() {
  python3 - "$@" >> "$RESULTS" <<'PY'
import json, sys
variant, device, model, batch, round_, status, lines = sys.argv[1:8]
epochs = [json.loads(l) for l in lines.splitlines() if l.startswith("{")]
framework = sys.argv[8] if len(sys.argv) > 8 else "atelier"
print(json.dumps({"variant": variant, "device": device, "model": model, "batch": int(batch),
                  "round": int(round_), "status": int(status), "framework": framework,
                  "epochs": epochs}))
PY
}

# within_budget WHAT: false, and says so, once past BUDGET seconds.
within_budget() {
  if (( SECONDS > BUDGET )); then
    say "skipped: $1 (past BUDGET=${BUDGET}s)"
    return 1
  fi
  say "$1 (t=${SECONDS}s)"
}

# run VARIANT DEVICE MODEL BATCH ROUND: one Atelier training, its epochs as one JSON line.
run() {
  local variant=$1 device=$2 model=$3 batch=$4 round=$5
  within_budget "$variant $device $model batch $batch round $round" || return 0
  local epochs status
  epochs=$(timeout "$RUN_TIMEOUT" "/tmp/atelier-$variant" train --train "$DATA" --device "$device" \
    --model "$model" --epochs "$EPOCHS" --limit "$LIMIT" --batch-size "$batch" --json \
    2> >(tee -a "$LOG" >&2))
  status=$?
  record "$variant" "$device" "$model" "$batch" "$round" "$status" "$epochs"
}

# keras MODEL BATCH ROUND: the same training in Keras 3 on the same GPU, through the machine's
# PyTorch (bench/harness/keras_bench.py; its epochs' seconds leave the validation pass out).
keras() {
  local model=$1 batch=$2 round=$3
  [ -n "$KERAS_SITE" ] || return 0
  within_budget "keras cuda $model batch $batch round $round" || return 0
  local out status
  out=$(KERAS_BACKEND=${KERAS_BACKEND:-torch} FASHION_MNIST=.device PYTHONPATH=$KERAS_SITE \
    timeout "$RUN_TIMEOUT" "${PYTHON:-python3}" bench/harness/keras_bench.py --model "$model" \
    --limit "$LIMIT" --batch-size "$batch" --epochs "$EPOCHS" 2> >(tee -a "$LOG" >&2))
  status=$?
  say "$out"
  local epochs framework
  epochs=$(python3 -c 'import json,sys; [print(json.dumps(e)) for e in json.loads(sys.argv[1])["epochs"]]' "$out" 2>/dev/null)
  framework=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["framework"])' "$out" 2>/dev/null)
  record keras cuda "$model" "$batch" "$round" "$status" "$epochs" "${framework:-keras}"
}

# Keras's wheels, unpacked beside the machine's own packages (which stay untouched). Here, to
# check the script: KERAS_SITE=none KERAS_BACKEND=tensorflow PYTHON=bench-out/venv/bin/python.
KERAS_SITE=${KERAS_SITE-}
if [ -z "$KERAS_SITE" ] && ls .device/whl/*.whl >/dev/null 2>&1; then
  if python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
      --target /tmp/keras-site .device/whl/*.whl 2>&1 | tee -a "$LOG" >&2; then
    KERAS_SITE=/tmp/keras-site
  fi
fi

# Fail fast, with what a reader needs, when wgpu finds no GPU (the build without autotune:
# its first epoch compiles fewer kernels).
if ! timeout "$RUN_TIMEOUT" /tmp/atelier-untuned train --train "$DATA" --device wgpu --model baseline \
    --epochs 1 --limit 640 --json > /dev/null 2> >(tee -a "$LOG" >&2); then
  say "wgpu smoke run failed; Vulkan as seen here:"
  { ldconfig -p | grep -i vulkan; ls /usr/share/vulkan/icd.d /etc/vulkan/icd.d /usr/local/nvidia/share/vulkan/icd.d; env | grep -i -E 'vk_|egl'; } 2>&1 | tee -a "$LOG" >&2
  exit 1
fi

for round in $(seq 1 "$ROUNDS"); do
  for pair in baseline:32 default:64; do
    model=${pair%%:*} batch=${pair##*:}
    # Rotate who goes first, so that none always runs on a warmer (or hotter) machine.
    case $(( round % 3 )) in
      1) order="tuned untuned keras" ;;
      2) order="untuned keras tuned" ;;
      0) order="keras tuned untuned" ;;
    esac
    for who in $order; do
      if [ "$who" = keras ]; then keras "$model" "$batch" "$round"
      else run "$who" wgpu "$model" "$batch" "$round"; fi
    done
  done
done
for pair in baseline:32 default:64; do
  run tuned cpu "${pair%%:*}" "${pair##*:}" 1
done
python3 bench/device/summarize.py "$RESULTS" | tee -a "$LOG"
