"""stream-fuse-jets: the elementwise maps of a Taylor-mode nonlinearity become one jet kernel."""

from __future__ import annotations

import dataclasses

from torch_mlir import ir

from ..dialects import stream as S
from ..dialects.walk import funcs, stream_ops
from .base import ModulePass, option


def _row_of(value):
    """(X, row) when `value` is row `row` of a [B, R, N] channel X (a size-1 slice
    of dim 1, reshaped to [B, N]: how the lowering selects a jet coefficient)."""
    owner = value.owner
    if isinstance(owner, ir.Block) or owner.name != "stream.reshape":
        return None
    src = owner.operands[0].owner
    if isinstance(src, ir.Block) or src.name != "stream.slice":
        return None
    src = src.operation
    x = src.operands[0]
    info = S.channel_info(x.type)
    off, size, stride = (S.array_attr(src, k) for k in ("offsets", "sizes", "strides"))
    if len(info.shape) != 3 or size != [info.shape[0], 1, info.shape[2]] or off[0] != 0 or off[2] != 0 \
            or stride != [1, 1, 1]:
        return None
    return x, off[1]


def _cone(concat):
    """The maps computing the concat's inputs, and the leaves they read.

    Returns (maps in program order, leaves in first-use order) or None when a
    map in the cone is also read outside it (fusing would recompute it)."""
    maps, leaves, seen = [], [], set()
    stack = [v for v in concat.operands]
    while stack:
        v = stack.pop()
        owner = v.owner
        if not isinstance(owner, ir.Block) and owner.name == "stream.map" and _row_of(v) is None:
            op = owner.operation
            if op in seen:
                continue
            seen.add(op)
            maps.append(op)
            stack.extend(op.operands)
        elif v not in leaves:
            leaves.append(v)
    inside = set(maps) | {concat}
    for op in maps:
        if any(use.owner.operation not in inside for use in op.results[0].uses):
            return None
    return maps, leaves


def _inputs(leaves, loc, ip):
    """The jet's inputs (one channel type [B, R, N]) and, per leaf, its (input, row)."""
    rows = {_row_of(v)[0] for v in leaves if _row_of(v) is not None}
    if len({S.channel_info(x.type).shape for x in rows}) > 1:
        return None
    r = S.channel_info(next(iter(rows)).type).shape[1] if rows else 1
    inputs, where, dead = [], {}, []
    for v in leaves:
        hit = _row_of(v)
        if hit is not None:
            x, row = hit
            if x not in inputs:
                inputs.append(x)
            where[v] = (inputs.index(x), row)
            continue
        info = S.channel_info(v.type)
        if len(info.shape) != 2:
            return None
        b, n = info.shape
        owner = v.owner
        if not isinstance(owner, ir.Block) and owner.name == "stream.broadcast" and \
                S.is_buffer(owner.operands[0].type):  # a weight row: broadcast it to R rows directly
            widened = S.broadcast(owner.operands[0], [b, r, n], info.lanes, loc=loc, ip=ip)
            dead.append(owner.operation)  # the [B, N] broadcast it replaces
        else:
            widened = S.reshape(v, [b, 1, n], loc=loc, ip=ip)
            if r > 1:
                widened = S.broadcast(widened, [b, r, n], info.lanes, loc=loc, ip=ip)
        inputs.append(widened)
        where[v] = (len(inputs) - 1, 0)
    return inputs, where, r, dead


def _move_body(map_op, block, args):
    """Moves a map's body to the end of `block` with its arguments replaced; returns the yielded value."""
    body = S.map_body(map_op)
    for arg, new in zip(body.arguments, args):
        arg.replace_all_uses_with(new)
    yielded = None
    for inner in [o.operation for o in body.operations]:
        if inner.name == "stream.yield":
            yielded = inner.operands[0]
            continue
        inner.detach_from_parent()
        ir.InsertionPoint(block).insert(inner)
    return yielded


def fuse_jet(concat, reshape) -> bool:
    """Replaces `reshape(concat(maps...))` ([B, T*N] -> [B, T, N]) by one stream.jet."""
    found = _cone(concat)
    if found is None:
        return False
    maps, leaves = found
    loc, ip = concat.location, ir.InsertionPoint(concat)
    wired = _inputs(leaves, loc, ip)
    if wired is None:
        return False
    inputs, where, r, dead = wired
    out = S.channel_info(reshape.results[0].type)
    result, block = S.jet(inputs, out.shape[1], loc=loc, ip=ip)
    args = list(block.arguments)
    value = {leaf: args[k * r + row] for leaf, (k, row) in where.items()}
    position = {op: i for i, op in enumerate(o.operation for o in concat.parent.regions[0].blocks[0].operations)}
    for op in sorted(maps, key=lambda o: position[o]):  # program order: operands before users
        value[op.results[0]] = _move_body(op, block, [value[v] for v in op.operands])
    with ir.InsertionPoint(block), loc:
        S.yield_([value[v] for v in concat.operands])
    reshape.results[0].replace_all_uses_with(result)
    reshape.erase()
    concat.erase()
    for op in sorted(maps, key=lambda o: -position[o]):  # users first
        op.erase()
    for v in leaves:  # row selects (reshape of a slice) and replaced broadcasts nobody reads any more
        if _row_of(v) is not None:
            dead.append(v.owner.operation)
            dead.append(v.owner.operation.operands[0].owner.operation)
    for op in dict.fromkeys(dead):
        if not any(True for r in op.results for _ in r.uses):
            op.erase()
    return True


def _jet_roots(func_op):
    """(concat, reshape) pairs: coefficient pieces [B, N] concatenated along dim 1, read as [B, T, N]."""
    for op in stream_ops(func_op):
        if op.name != "stream.concat" or S.int_attr(op, "dim") != 1:
            continue
        info = S.channel_info(op.operands[0].type)
        uses = list(op.results[0].uses)
        if len(info.shape) != 2 or len(uses) != 1:
            continue
        user = uses[0].owner.operation
        if user.name != "stream.reshape":
            continue
        shape = S.channel_info(user.results[0].type).shape
        if shape == (info.shape[0], len(op.operands), info.shape[1]):
            yield op, user


def fuse_jets(func_op, max_rows: int) -> int:
    fused = 0
    for concat, reshape in list(_jet_roots(func_op)):
        if len(concat.operands) <= max_rows and fuse_jet(concat, reshape):
            fused += 1
    return fused


@dataclasses.dataclass(frozen=True)
class StreamFuseJetsPass(ModulePass):
    """Fuse the maps of a Taylor-mode nonlinearity into one stream.jet kernel.

    Taylor mode lowers a jet of T coefficient rows [B, T, N] and a
    nonlinearity on it to T row selects (slice + reshape), elementwise maps
    combining them, and a concatenation of the T results read back as [B, T,
    N]. This pass replaces the concatenation, and every map whose only users
    are in that cone, by one `stream.jet` whose region takes the T
    coefficients of an element and yields the T results. Other inputs of the
    cone (a bias row, a weight column) are widened to [B, T, N]. Run it on
    the lowered function before stream-insert-forks.
    """

    name = "stream-fuse-jets"
    max_rows: int = option(64, "largest jet (coefficient rows) to fuse into one kernel")

    def __post_init__(self):
        if self.max_rows < 1:
            raise ValueError(f"max-rows must be >= 1, got {self.max_rows}")

    def apply(self, module: ir.Module) -> None:
        for f in funcs(module):
            fuse_jets(f, self.max_rows)
