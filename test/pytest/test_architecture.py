"""The package's shape: no import cycle, no oversized module, every op of the
IRDL file implemented by a kernel kind.

Imports are read from the source (AST), function-local ones included, so a
cycle hidden behind a lazy import fails here too. Importing `a.b.c` from a
module outside `a.b` also runs `a/__init__` and `a/b/__init__`, so those
count as edges.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path


ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "python" / "inrarch_mlir"
IRDL = ROOT / "dialects" / "stream.irdl.mlir"

#: Lines a module may have ("about 600" in the architecture issue).
MAX_LINES = 620


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _is_package(name: str, modules: dict[str, Path]) -> bool:
    return modules[name].name == "__init__.py"


def _resolve(module: str, level: int, target: str | None, modules) -> str:
    """Absolute name of `from <level dots><target> import ...` inside `module`."""
    if level == 0:
        return target or ""
    base = module.split(".")
    if not _is_package(module, modules):
        base = base[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([target] if target else []))


def import_graph() -> dict[str, set[str]]:
    """module -> the package modules it imports (anywhere in its body)."""
    modules = _modules()
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(), str(path))
        targets: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(name, node.level, node.module, modules)
                for a in node.names:
                    sub = f"{base}.{a.name}"
                    targets.add(sub if sub in modules else base)
        own_ancestors = {".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 1)}
        for t in targets:
            if not t.startswith("inrarch_mlir"):
                continue
            parts = t.split(".")
            while parts and ".".join(parts) not in modules:
                parts.pop()
            for i in range(len(parts), 0, -1):  # the target and the packages it initializes
                anc = ".".join(parts[:i])
                if anc not in own_ancestors and anc != name:
                    graph[name].add(anc)
    return graph


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycle():
    cycles = find_cycles(import_graph())
    assert not cycles, "import cycles (modules importing each other, directly or not): " + "; ".join(
        " <-> ".join(c) for c in cycles)


def test_no_oversized_module():
    big = {name: n for name, path in _modules().items() if (n := len(path.read_text().splitlines())) > MAX_LINES}
    assert not big, f"modules over {MAX_LINES} lines (split them by job): {big}"


def test_passes_folder_holds_passes_only():
    """`passes/` is the pass catalogue: each module is a pass or the pass infrastructure."""
    infra = {"__init__", "base"}
    for path in (PACKAGE / "passes").glob("*.py"):
        if path.stem in infra:
            continue
        text = path.read_text()
        assert re.search(r"class \w+Pass\(ModulePass\)", text), f"passes/{path.name} defines no pass"


def irdl_ops() -> list[str]:
    return sorted("stream." + m for m in re.findall(r"irdl\.operation @(\w+)", IRDL.read_text()))


def test_every_irdl_op_has_a_kind_implementing_every_interface():
    from inrarch_mlir.kernels import KINDS, OpKind

    missing = []
    for op in irdl_ops():
        kind = KINDS.get(op)
        if kind is None:
            missing.append(f"{op}: no kernel kind (add inrarch_mlir/kernels/<kind>.py and register it)")
            continue
        lacks = [m for m in OpKind.INTERFACE if getattr(type(kind), m) is getattr(OpKind, m)]
        if lacks:
            missing.append(f"{op}: lacks {', '.join(lacks)}")
    assert not missing, "ops of dialects/stream.irdl.mlir without a full kernel kind:\n  " + "\n  ".join(missing)


def test_the_interface_check_sees_a_missing_member():
    from inrarch_mlir.kernels import OpKind
    from inrarch_mlir.kernels.fifo import FifoKind

    class Half(FifoKind):
        timing = OpKind.timing  # as if the kind had left it out

    assert [m for m in OpKind.INTERFACE if getattr(Half, m) is getattr(OpKind, m)] == ["timing"]


def test_no_kind_without_an_irdl_op():
    from inrarch_mlir.kernels import KINDS

    extra = sorted(set(KINDS) - set(irdl_ops()))
    assert not extra, f"kernel kinds for ops the IRDL file does not define: {extra}"


def test_the_cycle_finder_finds_cycles():
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert find_cycles({"a": {"b"}, "b": set()}) == []
