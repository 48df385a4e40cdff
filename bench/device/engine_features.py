"""Rewrites a copy of the engine's Cargo.toml (crates/engine) so that the native command line gets the browser
WebGPU engine's Burn features: Burn without its default features (no on-disk autotune cache,
which the browser has not either) and burn-wgpu with exactly the features given.

    python3 bench/device/engine_features.py COPY/crates/engine/Cargo.toml std,autotune,fusion

bench/device/prepare.sh builds the command line twice this way, with and without `autotune`,
so that a real GPU can say which the WebGPU engine should ship. Fails loudly when Cargo.toml no
longer has the lines it rewrites.
"""
import sys

NATIVE = "[target.'cfg(not(target_arch = \"wasm32\"))'.dependencies]"
NATIVE_BURN = 'burn = { version = "=0.22.1", features = ["default"] }'
X86_BURN = 'burn = { version = "=0.22.1", features = ["x86-v4"] }'


def rewrite(text, wgpu_features):
    for line in (NATIVE, NATIVE_BURN, X86_BURN):
        if text.count(line) != 1:
            sys.exit(f"engine_features.py: Cargo.toml has no single line {line!r}")
    features = ", ".join(f'"{f}"' for f in wgpu_features)
    # The browser's CPU-backend features (wasm32 section); `default` would bring autotune back.
    text = text.replace(
        NATIVE_BURN,
        'burn = { version = "=0.22.1", default-features = false, features = ["simd", "rayon"] }\n'
        f'burn-wgpu = {{ version = "=0.22.1", default-features = false, features = [{features}], optional = true }}',
    )
    # A second entry without `default-features = false` would switch the defaults on again.
    return text.replace(
        X86_BURN,
        'burn = { version = "=0.22.1", default-features = false, features = ["x86-v4"] }',
    )


if __name__ == "__main__":
    path, features = sys.argv[1], sys.argv[2].split(",")
    with open(path) as f:
        text = f.read()
    with open(path, "w") as f:
        f.write(rewrite(text, features))
