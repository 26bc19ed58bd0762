"""Constant folding on the traced aten graph: no batch-sized constant survives.

Reverse-mode tracing seeds every backward pass with batch-sized tensors
(ones, one-hot rows built from arange/eq/where) that INR-Arch shipped as
literal arrays. This pass evaluates every node that does not depend on the
function arguments (shape-only creators such as `full_like` count as
constant), then rewrites the users of those constants:

- `mm(A, W)` where every row of the constant A is the same one-hot vector
  s·e_k becomes a row select of W broadcast over the batch (`select` +
  `unsqueeze` + `expand`, times s if s != 1); a zero A becomes a zero.
- `mul` by a constant one / zero, `add`/`sub` of a constant zero, `div` by
  one, and `where` with a constant condition are simplified away.
- Identical nodes (same op, same operands) are merged (common-subexpression
  elimination: torch-dialect ops carry no memory-effect interface, so
  MLIR's `cse` cannot merge them after import).
- Remaining constants are stored compactly: dimensions along which the value
  does not change are kept at size 1 and re-broadcast with `expand`; each
  use gets its own `get_attr` node (the importer binds a node only once).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional

import torch
import torch.fx as fx

aten = torch.ops.aten

# ---------------------------------------------------------------------------
# Mappings
# ---------------------------------------------------------------------------

#: Creators whose value depends only on the shape/dtype of their tensor args.
_SHAPE_ONLY = {
    aten.full_like.default, aten.zeros_like.default, aten.ones_like.default,
    aten.empty_like.default, aten.new_zeros.default, aten.new_ones.default,
    aten.new_full.default, aten.new_empty.default, aten.new_empty_strided.default,
}
#: Uninitialised creators: folded as zeros (functionalized graphs overwrite them).
_EMPTY = {
    aten.empty.memory_format, aten.empty_strided.default, aten.empty_like.default,
    aten.new_empty.default, aten.new_empty_strided.default,
}


@dataclass
class FoldStats:
    """What folding did (for the benchmark and tests)."""

    folded_nodes: int = 0
    one_hot_selects: int = 0
    identities: int = 0
    zeros: int = 0
    constants: int = 0
    max_constant_numel: int = 0
    cse_merged: int = 0


# ---------------------------------------------------------------------------
# Utilities
# ---------------------------------------------------------------------------


def _meta(node: fx.Node):
    return node.meta.get("val")


def _compact(t: torch.Tensor) -> torch.Tensor:
    """`t` with every dimension along which it is constant shrunk to size 1."""
    c = t
    for d in range(t.dim()):
        if c.shape[d] > 1:
            first = c.narrow(d, 0, 1)
            if torch.equal(first.expand_as(c), c):
                c = first
    return c.contiguous().clone()


def _key(a: Any) -> Any:
    """A hashable, type-exact key for an FX argument."""
    if isinstance(a, fx.Node):
        return ("node", a)
    if isinstance(a, (list, tuple)):
        return (type(a).__name__,) + tuple(_key(x) for x in a)
    if isinstance(a, dict):
        return ("dict",) + tuple((k, _key(v)) for k, v in sorted(a.items()))
    return (type(a).__name__, a)


def _all_equal(t: torch.Tensor, value: float) -> bool:
    return bool(t.numel() > 0 and torch.all(t == value))


def _identical_rows(a: torch.Tensor) -> Optional[torch.Tensor]:
    if a.dim() != 2:
        return None
    row = a[0:1]
    return a[0] if torch.equal(row.expand_as(a), a) else None


def _one_hot(row: torch.Tensor):
    nz = torch.nonzero(row).flatten()
    if nz.numel() != 1:
        return None
    k = int(nz[0])
    return k, row[k].item()


class _Folder:
    def __init__(self, gm: fx.GraphModule):
        self.gm = gm
        self.graph = fx.Graph()
        self.consts: Dict[fx.Node, torch.Tensor] = {}
        self.env: Dict[fx.Node, fx.Node] = {}
        self.stats = FoldStats()
        self.attr_count = 0
        self.attrs: Dict[str, torch.Tensor] = {}
        self.cse: Dict[tuple, fx.Node] = {}

    # -- node creation (with CSE) ----------------------------------------------

    def call(self, target, args, kwargs=None) -> fx.Node:
        """`graph.call_function`, reusing an identical earlier node."""
        kwargs = kwargs or {}
        tags = getattr(target, "tags", ())
        key = None
        if torch.Tag.nondeterministic_seeded not in tags:
            try:
                key = (target, _key(args), _key(kwargs))
                hash(key)
            except TypeError:
                key = None
        if key is not None and key in self.cse:
            self.stats.cse_merged += 1
            return self.cse[key]
        node = self.graph.call_function(target, args, kwargs)
        if key is not None:
            self.cse[key] = node
        return node

    # -- materialisation ----------------------------------------------------

    def materialize(self, t: torch.Tensor) -> fx.Node:
        """A fresh get_attr (+ expand) node for one use of constant `t`."""
        c = _compact(t)
        name = f"_folded_constant_{self.attr_count}"
        self.attr_count += 1
        self.attrs[name] = c
        self.stats.constants += 1
        self.stats.max_constant_numel = max(self.stats.max_constant_numel, c.numel())
        node = self.graph.get_attr(name)
        if tuple(c.shape) != tuple(t.shape):
            node = self.graph.call_function(aten.expand.default, (node, list(t.shape)))
        return node

    def arg(self, a: Any) -> Any:
        if isinstance(a, fx.Node):
            if a in self.consts:
                return self.materialize(self.consts[a])
            return self.env[a]
        if isinstance(a, (list, tuple)):
            return type(a)(self.arg(x) for x in a)
        return a

    def shaped(self, node: fx.Node, other: fx.Node) -> fx.Node:
        """`other` (an original node) as a value of `node`'s shape."""
        new = self.env[other]
        want, have = _meta(node), _meta(other)
        if want is not None and have is not None and tuple(want.shape) != tuple(have.shape):
            new = self.call(aten.expand.default, (new, list(want.shape)))
        return new

    def zeros_of(self, node: fx.Node) -> torch.Tensor:
        v = _meta(node)
        self.stats.zeros += 1
        return torch.zeros(tuple(v.shape), dtype=v.dtype)

    # -- evaluation ---------------------------------------------------------

    def real(self, a: Any, fake_as_zeros: bool = False) -> Any:
        if isinstance(a, fx.Node):
            if a in self.consts:
                return self.consts[a]
            v = _meta(a)
            return torch.zeros(tuple(v.shape), dtype=v.dtype)
        if isinstance(a, (list, tuple)):
            return type(a)(self.real(x) for x in a)
        return a

    def is_const(self, a: Any) -> bool:
        if isinstance(a, fx.Node):
            return a in self.consts
        if isinstance(a, (list, tuple)):
            return all(self.is_const(x) for x in a)
        return True

    def evaluate(self, node: fx.Node) -> Optional[torch.Tensor]:
        if node.target in _EMPTY:
            v = _meta(node)
            return torch.zeros(tuple(v.shape), dtype=v.dtype)
        kwargs = {k: v for k, v in node.kwargs.items() if k != "device"}
        if node.target in _SHAPE_ONLY or self.is_const(list(node.args) + list(node.kwargs.values())):
            out = node.target(*self.real(node.args), **self.real(kwargs))
            return out if isinstance(out, torch.Tensor) else None
        return None

    # -- simplification -----------------------------------------------------

    def simplify(self, node: fx.Node) -> Optional[object]:
        """A replacement: a Tensor (new constant), an fx.Node (new graph) or None."""
        t, args = node.target, node.args
        c = self.consts
        if t == aten.mm.default and args[0] in c and args[1] not in c:
            row = _identical_rows(c[args[0]])
            if row is None:
                return None
            if not torch.any(row):
                return self.zeros_of(node)
            m, n = _meta(node).shape
            hot = _one_hot(row)
            if hot is not None:
                k, scale = hot
                self.stats.one_hot_selects += 1
                r = self.call(aten.select.int, (self.env[args[1]], 0, k))
                if scale != 1.0:
                    r = self.call(aten.mul.Tensor, (r, scale))
            else:
                r = self.call(aten.mm.default, (self.materialize(row[None]), self.env[args[1]]))
                r = self.call(aten.squeeze.dim, (r, 0))
            r = self.call(aten.unsqueeze.default, (r, 0))
            return self.call(aten.expand.default, (r, [m, n]))
        if t == aten.mm.default and args[1] in c and not torch.any(c[args[1]]):
            return self.zeros_of(node)
        if t == aten.mul.Tensor and len(args) == 2:
            for const_arg, other in ((args[0], args[1]), (args[1], args[0])):
                if const_arg in c and isinstance(other, fx.Node) and other not in c:
                    if _all_equal(c[const_arg], 0.0):
                        return self.zeros_of(node)
                    if _all_equal(c[const_arg], 1.0):
                        self.stats.identities += 1
                        return self.shaped(node, other)
            for s, other in ((args[0], args[1]), (args[1], args[0])):
                if isinstance(s, (int, float)) and isinstance(other, fx.Node) and other not in c:
                    if s == 0:
                        return self.zeros_of(node)
                    if s == 1:
                        self.stats.identities += 1
                        return self.shaped(node, other)
        if t in (aten.add.Tensor, aten.sub.Tensor) and len(args) == 2:
            a, b = args
            alpha = node.kwargs.get("alpha", 1)
            if b in c and _all_equal(c[b], 0.0) and isinstance(a, fx.Node) and a not in c:
                self.stats.identities += 1
                return self.shaped(node, a)
            if a in c and _all_equal(c[a], 0.0) and isinstance(b, fx.Node) and b not in c:
                self.stats.identities += 1
                if t == aten.add.Tensor and alpha == 1:
                    return self.shaped(node, b)
                r = self.call(aten.mul.Tensor, (self.shaped(node, b), -alpha if t == aten.sub.Tensor else alpha))
                return r
        if t == aten.div.Tensor and args[1] in c and _all_equal(c[args[1]], 1.0) and args[0] not in c:
            self.stats.identities += 1
            return self.shaped(node, args[0])
        if t == aten.where.self and args[0] in c:
            cond = c[args[0]]
            pick = args[1] if bool(torch.all(cond)) else args[2] if not bool(torch.any(cond)) else None
            if pick is not None:
                if isinstance(pick, fx.Node) and pick in c:
                    v = _meta(node)
                    return c[pick].expand(tuple(v.shape)).to(v.dtype).clone()
                if isinstance(pick, fx.Node):
                    return self.shaped(node, pick)
        return None

    # -- driver ---------------------------------------------------------------

    def run(self) -> fx.GraphModule:
        for node in self.gm.graph.nodes:
            if node.op == "placeholder":
                new = self.graph.placeholder(node.name)
                new.meta = dict(node.meta)
                self.env[node] = new
            elif node.op == "get_attr":
                self.consts[node] = getattr(self.gm, node.target)
            elif node.op == "call_function":
                value = self.evaluate(node)
                if value is not None:
                    self.consts[node] = value
                    self.stats.folded_nodes += 1
                    continue
                repl = self.simplify(node)
                if isinstance(repl, torch.Tensor):
                    self.consts[node] = repl
                    continue
                if isinstance(repl, fx.Node):
                    self.env[node] = repl
                    continue
                new = self.call(node.target, self.arg(node.args), self.arg(dict(node.kwargs)))
                if not new.meta:
                    new.meta = dict(node.meta)
                self.env[node] = new
            elif node.op == "output":
                self.graph.output(self.arg(node.args[0]))
            else:
                raise NotImplementedError(f"folding: unexpected FX node kind '{node.op}' ({node.target})")
        root = torch.nn.Module()
        for name, value in self.attrs.items():
            root.register_buffer(name, value)
        gm = fx.GraphModule(root, self.graph)
        gm.graph.eliminate_dead_code()
        gm.recompile()
        return gm


def fold_constants(gm: fx.GraphModule, example_inputs: List[torch.Tensor]) -> tuple[fx.GraphModule, FoldStats]:
    """Folds constants and one-hot products; returns a graph with fresh fake metadata."""
    from torch._subclasses.fake_tensor import FakeTensorMode
    from torch.fx.passes.fake_tensor_prop import FakeTensorProp

    folder = _Folder(gm)
    out = folder.run()
    mode = FakeTensorMode(allow_non_fake_inputs=True)
    fake_inputs = [mode.from_tensor(t) for t in example_inputs]
    FakeTensorProp(out, mode).propagate(*fake_inputs)
    return out, folder.stats
