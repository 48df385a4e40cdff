#!/usr/bin/env python3
"""Where a .wasm's code comes from: function body bytes by crate, largest first.

Reads the code section and the `name` section (cargo keeps function names in release wasm
before wasm-bindgen and wasm-opt), so run it on target/wasm32-unknown-unknown/release/*.wasm.
A generic function is credited to the crate it names inside `core`/`alloc`/`std` paths
(`core::ptr::drop_in_place<cubecl_ir::...>` counts for cubecl_ir), and a trait impl
`<Type as Trait>` to the first crate it names. Crates of one family (cubecl*, cubek*,
burn*, turso*) are summed.
    python3 bench/profile/wasm_by_crate.py FILE.wasm [ROWS] [REGEX: also list single crates matching]
"""
import collections
import re
import sys


def leb128(data, i):
    value = shift = 0
    while True:
        byte = data[i]
        i += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, i


def sections(data):
    i = 8  # magic and version
    while i < len(data):
        section_id = data[i]
        size, i = leb128(data, i + 1)
        yield section_id, data[i : i + size]
        i += size


def skip_limits(d, i):
    flags, i = leb128(d, i)
    _, i = leb128(d, i)
    return leb128(d, i)[1] if flags & 1 else i


def read_functions(data):
    """(body sizes in code-section order, number of imported functions, index -> name)."""
    imported, bodies, names = 0, [], {}
    for section_id, d in sections(data):
        if section_id == 2:  # imports: function indices start after the imported ones
            count, i = leb128(d, 0)
            for _ in range(count):
                for _ in range(2):  # module and field names
                    length, i = leb128(d, i)
                    i += length
                kind = d[i]
                i += 1
                if kind == 0:
                    _, i = leb128(d, i)
                    imported += 1
                elif kind == 1:
                    i = skip_limits(d, i + 1)
                elif kind == 2:
                    i = skip_limits(d, i)
                elif kind == 3:
                    i += 2
                elif kind == 4:
                    _, i = leb128(d, i + 1)
        elif section_id == 10:
            count, i = leb128(d, 0)
            for _ in range(count):
                size, i = leb128(d, i)
                bodies.append(size)
                i += size
        elif section_id == 0:
            length, i = leb128(d, 0)
            if d[i : i + length] != b"name":
                continue
            i += length
            while i < len(d):
                sub = d[i]
                size, start = leb128(d, i + 1)
                if sub == 1:  # function names
                    count, j = leb128(d, start)
                    for _ in range(count):
                        index, j = leb128(d, j)
                        length, j = leb128(d, j)
                        names[index] = d[j : j + length].decode("utf8", "replace")
                        j += length
                i = start + size
    return bodies, imported, names


STD = ("core", "alloc", "std")


def crate_of(name):
    legacy = re.match(r"_ZN(\d+)", name)
    if legacy:
        start = len(legacy.group(0))
        crate = name[start : start + int(legacy.group(1))]
        if crate in STD or crate.startswith("_$LT$"):  # a generic, or `<Type as Trait>`
            for inner in re.findall(r"(?:\$LT\$|\$u20\$|\.\.|_ZN\d+)([a-z][a-z0-9_]+)\.\.", name):
                if inner not in STD:
                    return inner
        return crate
    v0 = re.match(r"_R.*?C(?:s[0-9a-zA-Z_]*_)?(\d+)([a-z_][a-z0-9_]*)", name)
    if v0:
        return v0.group(2)[: int(v0.group(1))]
    return name.split("::")[0] if "::" in name else "(unnamed) " + name[:24]


def main():
    path = sys.argv[1]
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    single = sys.argv[3] if len(sys.argv) > 3 else None
    bodies, imported, names = read_functions(open(path, "rb").read())
    if not names:
        sys.exit(f"{path}: no function names (run it on cargo's wasm, before wasm-bindgen/wasm-opt)")
    by_crate = collections.Counter()
    for k, size in enumerate(bodies):
        by_crate[crate_of(names.get(k + imported, "?"))] += size
    by_family = collections.Counter()
    for crate, size in by_crate.items():
        by_family[re.sub(r"^(cubecl|cubek|turso|burn)_.*", r"\1*", crate)] += size
    total = sum(bodies)
    print(f"{path}: {total / 1e6:.2f} MB of code in {len(bodies)} functions")
    for family, size in by_family.most_common(rows):
        print(f"{size / 1e6:8.2f} MB {100 * size / total:5.1f}%  {family}")
    if single:
        for crate, size in by_crate.most_common():
            if re.search(single, crate):
                print(f"   {size / 1e6:8.2f} MB  {crate}")


if __name__ == "__main__":
    main()
