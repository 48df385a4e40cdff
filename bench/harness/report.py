"""One table from the benchmark's three parts (bench-out/native.json, browser.json, draw.json):
medians, ratios against the peers measured in the same run, and each against its target.
Writes bench-out/bench.json and prints Markdown (BENCHMARKS.md keeps the latest).

    python3 bench/harness/report.py
"""
import json
import os
import statistics
import sys

OUT = "bench-out"


def load(name):
    path = os.path.join(OUT, name)
    return json.load(open(path)) if os.path.exists(path) else None


def median_of(runs, who, what, key):
    values = [r[key] for r in runs if r["who"] == who and r["what"] == what and r.get(key) is not None]
    return statistics.median(values) if values else None


def worst_of(runs, who, what, key):
    values = [r[key] for r in runs if r["who"] == who and r["what"] == what and r.get(key) is not None]
    return max(values) if values else None


def fmt(value, unit="", digits=0):
    return "n/a" if value is None else f"{value:,.{digits}f}{unit}"


def long_task(ms):
    # The Long Tasks API reports only tasks over 50 ms: none recorded reads 0.
    return "none over 50 ms" if ms == 0 else f"{ms:,.0f} ms"


def verdict(ok):
    return "n/a" if ok is None else ("met" if ok else "**missed**")


def main():
    native, browser, draw = load("native.json"), load("browser.json"), load("draw.json")
    rows = []  # (what, Atelier, peer, ratio, target, verdict)
    report = {"native": native, "browser": browser, "draw": draw, "targets": []}

    def target(what, ours, peer, ratio, aim, ok):
        rows.append((what, ours, peer, ratio, aim, verdict(ok)))
        report["targets"].append({"what": what, "atelier": ours, "peer": peer, "ratio": ratio, "target": aim, "met": ok})

    if native:
        mbs = native["parse"]["mb_per_second"]
        target("native: parse train.csv", f"{mbs:.0f} MB/s", "", "", ">= 300 MB/s", mbs >= 300)
        for model, t in native["training"].items():
            target(f"native: train `{model}`, images/s (CPU, median of {len(t['atelier_images_per_second'])})",
                   fmt(t["atelier_median"]), f"Keras {fmt(t['keras_median'])}", f"{t['ratio']:.2f}x",
                   ">= 1.0x Keras", t["ratio"] >= 1.0)
    if browser:
        runs = browser["runs"]
        ours = median_of(runs, "atelier", "parse", "seconds")
        papa = median_of(runs, "papaparse", "parse", "seconds")
        mb = browser["csv_bytes"] / 1e6
        if ours and papa:
            target(f"page: read and parse train.csv ({mb:.0f} MB), seconds",
                   f"{ours:.2f} s ({mb / ours:.0f} MB/s)", f"papaparse {papa:.2f} s ({mb / papa:.0f} MB/s)",
                   f"{papa / ours:.1f}x", ">= 5x papaparse", papa / ours >= 5)
        tfjs = {b: median_of(runs, "tfjs", f"train {b}", "images_per_second") for b in ["webgl", "webgpu", "wasm", "cpu"]}
        best_name, best = max(((b, v) for b, v in tfjs.items() if v), key=lambda p: p[1], default=(None, None))
        # The GPU target is against every TF.js backend, the best of them whichever it is.
        gpu = median_of(runs, "atelier", "train WebGPU", "images_per_second")
        cpu = median_of(runs, "atelier", "train CPU", "images_per_second")
        if gpu and best:
            target("page: train `baseline` on WebGPU, images/s", fmt(gpu), f"TF.js {best_name} {fmt(best)} (best)",
                   f"{gpu / best:.2f}x", ">= 2x best TF.js", gpu / best >= 2)
        # TF.js's wasm backend cannot train a convolution (no gradient kernels); then the peer
        # without a GPU is its plain JavaScript cpu backend.
        cpu_peer = "wasm" if tfjs["wasm"] else "cpu"
        if cpu and tfjs[cpu_peer]:
            note = "" if cpu_peer == "wasm" else " (TF.js wasm cannot train it)"
            target("page: train `baseline` on the CPU backend, images/s", fmt(cpu),
                   f"TF.js {cpu_peer} {fmt(tfjs[cpu_peer])}{note}", f"{cpu / tfjs[cpu_peer]:.2f}x",
                   ">= 1.0x TF.js wasm", cpu / tfjs[cpu_peer] >= 1)
        for backend in ["WebGPU", "CPU"]:
            worst = worst_of(runs, "atelier", f"train {backend}", "longest_task_ms")
            if worst is not None:
                target(f"page: longest main-thread task while training on {backend}", long_task(worst), "", "",
                       "< 50 ms", worst < 50)
        report["tfjs_images_per_second"] = tfjs
    if draw:
        for backend, run in draw["runs"].items():
            target(f"page: drawing to prediction on {backend}, median (worst)",
                   f"{run['median_ms']:.1f} ms ({run['worst_ms']:.1f} ms)", "", "", "< 20 ms median",
                   run["median_ms"] < 20)
    if browser:
        for file, size in browser["wasm"].items():
            target(f"`{file}`, raw / gzip", f"{size['raw'] / 1e6:.1f} MB / {size['gzip'] / 1e6:.2f} MB", "", "",
                   "<= 3 MB gzip", size["gzip"] <= 3e6)

    json.dump(report, open(os.path.join(OUT, "bench.json"), "w"), indent=2)
    machine = native["machine"] if native else "this machine"
    print(f"Measured on {machine}; native {native['date'] if native else 'not run'}, "
          f"browser {browser['date'][:16] if browser else 'not run'} (Chromium {browser['chromium'] if browser else ''}).\n")
    print("| what | Atelier | peer, same run | ratio | target | |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")

    if browser:
        print("\nEvery browser run (median over rounds): longest main-thread task, tab's peak memory.\n")
        print("| run | images/s or seconds | longest task | peak memory |")
        print("|---|---|---|---|")
        for who, what in dict.fromkeys((r["who"], r["what"]) for r in browser["runs"]):
            speed = median_of(browser["runs"], who, what, "images_per_second")
            speed = fmt(speed, " images/s") if speed else fmt(median_of(browser["runs"], who, what, "seconds"), " s", 2)
            errors = {r["error"].split("\n")[0].removeprefix("page.evaluate: ")
                      for r in browser["runs"] if r["who"] == who and r["what"] == what and r.get("error")}
            print(f"| {who} {what} | {speed}{' (' + '; '.join(errors) + ')' if errors else ''} | "
                  f"{long_task(worst_of(browser['runs'], who, what, 'longest_task_ms'))} | "
                  f"{fmt(median_of(browser['runs'], who, what, 'peak_memory_mb'), ' MB')} |")


if __name__ == "__main__":
    sys.exit(main())
