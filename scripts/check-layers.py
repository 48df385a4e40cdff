#!/usr/bin/env python3
"""Fails on an import cycle between the modules of any crate in the workspace.

A crate's modules are meant to be layers: each uses only those below it, so that a reader can
take them in order and change one without the ones below it. This reads every `.rs` file under
each crate's `src/` (test modules left out), resolves its `crate::...`, `super::...` and
`self::...` paths (brace groups too, and names a `mod.rs`/`lib.rs` re-exports with `pub use`) to
the module that defines what they name, and looks for a cycle among sibling modules at every
level (the crate's top-level modules, `page::*`, `cpu_kernels::*`, ...). On success it prints
each crate's top-level modules in an order that respects the layers.

    scripts/check-layers.py [CRATE_SRC_DIR ...]     (default: src/ and crates/*/src)
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
# `crate::a::b`, `super::super::x`, `self::x`, each possibly followed by a brace group.
PATH = re.compile(r"\b(crate|self|super)((?:::(?:super|%s))*)(?:::(\{[^;]*?\}))?" % IDENT)
REEXPORT = re.compile(r"^\s*pub(?:\([a-z]+\))? use (?:self::)?(%s)::(\{[^;]*\}|[^;]*);" % IDENT, re.M)


def module_of(src, file):
    parts = list(file.relative_to(src).with_suffix("").parts)
    if parts[0] == "bin":
        return None
    if parts[-1] in ("mod", "lib", "main"):
        parts.pop()
    return tuple(parts)


def without_tests(text):
    text = re.sub(r"//[^\n]*", "", text)
    cut = text.find("#[cfg(test)]")
    return text if cut < 0 else text[:cut]


def brace_names(group):
    """The first name of each path in a `{a, b::c, d as e}` group (nested groups flattened)."""
    inner, names, depth, current = group[1:-1], [], 0, ""
    for ch in inner + ",":
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        if ch == "," and depth == 0:
            name = current.strip().split("::")[0].split(" as ")[0].strip()
            if name and name != "self":
                names.append(name)
            current = ""
        else:
            current += ch
    return names


def read_crate(src):
    files, modules, reexports = {}, set(), {}
    for file in sorted(src.rglob("*.rs")):
        module = module_of(src, file)
        if module is None:
            continue
        text = without_tests(file.read_text())
        files[file] = (module, text)
        for i in range(len(module) + 1):
            modules.add(module[:i])
        for child, items in REEXPORT.findall(text):
            names = brace_names(items) if items.startswith("{") else [items.split("::")[-1].split(" as ")[-1].strip()]
            for name in names:
                reexports[(module, name)] = module + (child,)
    return files, modules, reexports


def resolve(path, modules, reexports, hops=0):
    """The module that defines what `path` (absolute, from the crate root) names."""
    at = ()
    for i, name in enumerate(path):
        if at + (name,) in modules:
            at = at + (name,)
        elif (at, name) in reexports and hops < 16:
            # A name `at` re-exports from its child: follow it there.
            return resolve(reexports[(at, name)] + (name,) + tuple(path[i + 1:]), modules, reexports, hops + 1)
        else:
            break
    return at


def edges_of(src):
    files, modules, reexports = read_crate(src)
    edges = {}
    for module, text in files.values():
        for anchor, rest, group in PATH.findall(text):
            steps = [s for s in rest.split("::") if s]
            if anchor == "crate":
                base = ()
            else:
                base = module
                if anchor == "super":
                    base = base[:-1]
            names = []
            for step in steps:
                if step == "super":
                    base = base[:-1]
                else:
                    names.append(step)
            tails = [[n] for n in brace_names("{" + group[1:-1] + "}")] if group else [[]]
            for tail in tails:
                target = resolve(base + tuple(names + tail), modules, reexports)
                common = 0
                while common < min(len(module), len(target)) and module[common] == target[common]:
                    common += 1
                if common < len(module) and common < len(target):
                    parent = module[:common]
                    edges.setdefault(parent, {}).setdefault(module[common], set()).add(target[common])
    return modules, edges


def find_cycle(graph):
    state, stack = {}, []

    def visit(m):
        state[m] = "open"
        stack.append(m)
        for t in sorted(graph.get(m, ())):
            if state.get(t) == "open":
                return stack[stack.index(t):] + [t]
            if t not in state:
                found = visit(t)
                if found:
                    return found
        stack.pop()
        state[m] = "done"
        return None

    for m in sorted(graph):
        if m not in state:
            found = visit(m)
            if found:
                return found
    return None


def layer_order(children, graph):
    order, placed = [], set()
    while placed != children:
        ready = sorted(m for m in children - placed if graph.get(m, set()) & children <= placed)
        if not ready:  # a cycle (reported on its own)
            order.append(sorted(children - placed))
            break
        order.append(ready)
        placed.update(ready)
    return order


def main(args):
    srcs = [pathlib.Path(a).resolve() for a in args] or [ROOT / "src", *sorted(ROOT.glob("crates/*/src"))]
    failed = False
    for src in srcs:
        name = src.parent.relative_to(ROOT) if src.is_relative_to(ROOT) else src.parent
        modules, edges = edges_of(src)
        for parent, graph in sorted(edges.items()):
            cycle = find_cycle(graph)
            if cycle:
                where = "::".join(parent) or "the crate root"
                print(f"{name}: import cycle between the modules of {where}: {' -> '.join(cycle)}", file=sys.stderr)
                failed = True
        top = {m[0] for m in modules if len(m) == 1}
        layers = " < ".join(", ".join(layer) for layer in layer_order(top, edges.get((), {})))
        print(f"{name}: {layers or '(no modules)'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
