#!/usr/bin/env python3
"""Fails on a synchronous tensor read in code the browser's engine workers run.

On WebGPU in a browser a synchronous read of a tensor (`into_data()`, `into_scalar()`, ...)
cannot wait for the GPU: Burn panics ("Failed to read tensor data synchronously") and the
engine dies. Every read in the workers' code goes through an `..._async().await`. The crates the
workers run are the engine and the worker (the core and the protocol hold no tensors); their
test modules run natively only and are skipped.

A read on the CPU backend alone is allowed where the line, or a comment just above its
statement, says `sync read: CPU backend only` and why that holds.
"""

import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
CRATES = [ROOT / "crates/engine/src", ROOT / "crates/worker/src"]
SYNC_READ = re.compile(
    r"\.(into_data|to_data|into_scalar|value_sync|into_data_sync|read_sync)\s*(::<[^>]*>)?\s*\(\s*\)"
    r"|\.one_hot\s*(::<[^>]*>)?\s*\("  # Burn's checks its labels' range with a synchronous read
    r"|\bblock_on\s*\("
)
ALLOWED = "sync read: CPU backend only"


def without_test_modules(text: str) -> list[tuple[int, str]]:
    """The file's numbered lines outside `#[cfg(test)]` items (a module's braces matched)."""
    lines = text.split("\n")
    kept = []
    skip_depth = None
    pending_test = False
    depth = 0
    for number, line in enumerate(lines, 1):
        code = line.split("//", 1)[0]
        if skip_depth is None and line.strip().startswith("#[cfg(test)]"):
            pending_test = True
            continue
        if pending_test and skip_depth is None:
            if "{" in code:
                skip_depth = depth
            elif code.strip().endswith(";"):
                pending_test = False
                depth += code.count("{") - code.count("}")
                continue
        depth += code.count("{") - code.count("}")
        if skip_depth is not None:
            if depth <= skip_depth:
                skip_depth = None
                pending_test = False
            continue
        kept.append((number, line))
    return kept


def main() -> int:
    problems = []
    for crate in CRATES:
        for path in sorted(crate.rglob("*.rs")):
            if "tests" in path.relative_to(crate).parts:
                continue
            numbered = without_test_modules(path.read_text())
            # A marker comment covers the statement that follows it, up to its end.
            marked = False
            for number, line in numbered:
                code = line.split("//", 1)[0].strip()
                if ALLOWED in line:
                    marked = True
                if SYNC_READ.search(code) and not marked:
                    problems.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
                if code.endswith((";", "{", "}")):
                    marked = False
    if problems:
        print("synchronous tensor reads in code the engine workers run (they panic on WebGPU):")
        print("\n".join(problems))
        print(f"read with ..._async().await, or mark a CPU-backend-only read with '{ALLOWED}'")
        return 1
    print("no synchronous tensor read in the workers' code")
    return 0


if __name__ == "__main__":
    sys.exit(main())
