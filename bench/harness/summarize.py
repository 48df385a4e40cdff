"""Turns bench/harness/native.sh's JSON lines into medians, ratios and a Markdown table."""
import json
import os
import platform
import statistics
import subprocess
import sys
from datetime import datetime, timezone


def cpu_name():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main(jsonl, out):
    rows = [json.loads(line) for line in open(jsonl)]
    parse = next(r["result"] for r in rows if r["model"] == "parse")
    report = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{cpu_name()}, {os.cpu_count()} cores",
        "parse": parse,
        "training": {},
    }
    keras_version = next((r["result"]["framework"] for r in rows if r["who"] == "keras"), "")
    for model in ["baseline", "default"]:
        ours = [r["result"]["images_per_second"] for r in rows if r["who"] == "atelier" and r["model"] == model]
        theirs = [r["result"]["images_per_second"] for r in rows if r["who"] == "keras" and r["model"] == model]
        if not ours or not theirs:
            continue
        report["training"][model] = {
            "atelier_images_per_second": ours,
            "keras_images_per_second": theirs,
            "atelier_median": statistics.median(ours),
            "keras_median": statistics.median(theirs),
            "ratio": statistics.median(ours) / statistics.median(theirs),
        }
    json.dump(report, open(out, "w"), indent=2)

    print(f"Measured {report['date']} on {report['machine']}; {keras_version}.\n")
    print("| what | Atelier | Keras | ratio |")
    print("|---|---|---|---|")
    print(f"| parse train.csv ({parse['bytes'] / 1e6:.0f} MB) | {parse['mb_per_second']:.0f} MB/s "
          f"({parse['median_seconds']:.2f} s) | | |")
    for model, t in report["training"].items():
        print(f"| train `{model}`, images/s (median of {len(t['atelier_images_per_second'])}) | "
              f"{t['atelier_median']:.0f} | {t['keras_median']:.0f} | {t['ratio']:.2f}x |")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
