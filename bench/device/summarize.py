"""Table of bench/device/run.sh's results: per model and build, the first epoch's seconds
(kernels built, compiled and, with autotune, tuned; Keras's leave its validation pass out) and
the later epochs' training images/s, medians over rounds; then, per round (side by side, so they
hold on a noisy machine), the untuned/tuned ratios and Atelier (as shipped) against Keras.

    python3 bench/device/summarize.py bench-out/device/device.jsonl
"""
import json
import statistics
import sys
from collections import defaultdict


def later_rate(run):
    rates = [e["images_per_second"] for e in run["epochs"][1:]]
    return statistics.median(rates) if rates else None


def first_seconds(run):
    return run["epochs"][0]["seconds"] if run["epochs"] else None


def fmt(value, spec):
    return "n/a" if value is None else format(value, spec)


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def main(path):
    runs = [json.loads(line) for line in open(path) if line.strip()]
    failed = [r for r in runs if r["status"] != 0 or not r["epochs"]]
    groups = defaultdict(list)
    for run in runs:
        if run not in failed:
            groups[(run["device"], run["model"], run["variant"])].append(run)

    print("| device | model | build | runs | first epoch, s | later epochs, images/s | last val loss |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for (device, model, variant), group in sorted(groups.items()):
        print(
            f"| {device} | {model} | {variant} | {len(group)} "
            f"| {fmt(median(first_seconds(r) for r in group), '.1f')} "
            f"| {fmt(median(later_rate(r) for r in group), ',.0f')} "
            f"| {fmt(median(r['epochs'][-1].get('val_loss') for r in group), '.4f')} |"
        )

    print("\nuntuned / tuned, per round (wgpu): later-epoch images/s ratio, first-epoch seconds ratio")
    by_round = defaultdict(dict)
    for (device, model, variant), group in groups.items():
        if device == "wgpu":
            for run in group:
                by_round[(model, run["round"])][variant] = run
    for (model, round_), pair in sorted(by_round.items()):
        if {"tuned", "untuned"} <= pair.keys():
            t, u = pair["tuned"], pair["untuned"]
            speed = fmt(later_rate(u) / later_rate(t), ".2f") if later_rate(t) and later_rate(u) else "n/a"
            wait = fmt(first_seconds(u) / first_seconds(t), ".2f") if first_seconds(t) else "n/a"
            print(f"  {model} round {round_}: speed {speed}x, first epoch {wait}x")

    print("\nAtelier (tuned, wgpu) / Keras (PyTorch CUDA), per round: later-epoch images/s ratio")
    for (model, round_), pair in sorted(by_round.items()):
        keras = [r for r in groups.get(("cuda", model, "keras"), []) if r["round"] == round_]
        if "tuned" in pair and keras and later_rate(keras[0]):
            print(f"  {model} round {round_}: {later_rate(pair['tuned']) / later_rate(keras[0]):.2f}x"
                  f" ({keras[0].get('framework', 'keras')})")
    for run in failed:
        print(f"FAILED: {run['variant']} {run['device']} {run['model']} round {run['round']} "
              f"(exit {run['status']}, {len(run['epochs'])} epochs)")


if __name__ == "__main__":
    main(sys.argv[1])
