"""Python verifiers of the stream dialect: the rules IRDL cannot express.

Each verifier is a `DynamicOpTrait` attached to one op name, so MLIR runs it
during ordinary verification (after parsing, after every pass) and its
errors are located diagnostics, never Python exceptions. Each check states
one rule and quotes the values it saw.
"""

from __future__ import annotations


import math

from torch_mlir import ir

from . import stream as S


class _Reject(Exception):
    """Raised inside a verifier to report one broken rule."""


def _fail(op, message: str):
    op.location.emit_error(f"'{op.operation.name}' op {message}")
    return False


def _shape(v) -> tuple[int, ...]:
    return S.channel_info(v.type).shape


def _parent_allows_fanout(op) -> bool:
    parent = op.operation.parent
    while parent is not None:
        if parent.name == "func.func":
            return S.IMPLICIT_FORKS_ATTR in parent.attributes
        parent = parent.parent
    return False


def _check_channel_results(op):
    """Every channel result: valid lanes, and exactly one consumer."""
    fanout_ok = None
    for i, res in enumerate(op.operation.results):
        if S.is_channel(res.type):
            info = S.channel_info(res.type)
            if info.lanes < 1:
                raise _Reject(f"result #{i} has lanes = {info.lanes}; lanes must be >= 1")
            if info.row_length % info.lanes and not info.padded:
                raise _Reject(
                    f"result #{i}: lanes = {info.lanes} does not divide the row length "
                    f"{info.row_length}; declare padding with #stream.padded<{info.lanes} : i64>"
                )
            if not info.shape or any(d < 1 for d in info.shape):
                raise _Reject(f"result #{i} has shape {list(info.shape)}; expected a batch dim and positive sizes")
        elif not S.is_buffer(res.type):
            continue
        n = sum(1 for _ in res.uses)
        if n == 0:
            raise _Reject(
                f"result #{i} has no consumer; every channel and buffer needs exactly one "
                "(a dangling stream blocks its producer)"
            )
        if n > 1:
            if fanout_ok is None:
                fanout_ok = _parent_allows_fanout(op) and S.is_channel(res.type)
            if not fanout_ok:
                raise _Reject(
                    f"result #{i} has {n} consumers; expected exactly 1: insert a "
                    "stream.fork (run --stream-insert-forks on a function marked "
                    f"{S.IMPLICIT_FORKS_ATTR})"
                )


def _same_elt(op, a, b, what: str):
    if a != b:
        raise _Reject(f"{what}: element type {a} does not match {b}")


def _verify_load(op):
    src = ir.RankedTensorType(op.operands[0].type)
    out = S.channel_info(op.results[0].type)
    if tuple(src.shape) != out.shape or src.element_type != out.element_type:
        raise _Reject(f"streams {src} but produces a channel of {out.tensor_type}")


def _verify_store(op):
    inp = S.channel_info(op.operands[0].type)
    res = ir.RankedTensorType(op.results[0].type)
    if tuple(res.shape) != inp.shape or res.element_type != inp.element_type:
        raise _Reject(f"stores a channel of {inp.tensor_type} into {res}")


def _verify_weights(op):
    src = ir.RankedTensorType(op.operands[0].type)
    buf = ir.RankedTensorType(S.buffer_tensor(op.results[0].type))
    if src.element_type != buf.element_type:
        raise _Reject(f"copies {src} into a buffer of {buf}")
    has_view = "strides" in op.attributes or "offset" in op.attributes
    if not has_view:
        if tuple(src.shape) != tuple(buf.shape):
            raise _Reject(f"copies {src} into a buffer of {buf}; give offset and strides for a view")
        return
    if "strides" not in op.attributes:
        raise _Reject("a view needs both offset and strides")
    offset, strides = S.weights_view(op)
    if len(strides) != len(buf.shape):
        raise _Reject(f"has {len(strides)} strides for a buffer of rank {len(buf.shape)}")
    if offset < 0 or any(st < 0 for st in strides):
        raise _Reject(f"offset {offset} and strides {strides} must be >= 0")
    last = offset + sum((d - 1) * st for d, st in zip(buf.shape, strides))
    numel = math.prod(src.shape)
    if last >= numel:
        raise _Reject(f"view reads element {last} of a source with {numel} elements")


def _verify_fifo(op):
    depth = ir.IntegerAttr(op.attributes["depth"]).value
    if depth < 1:
        raise _Reject(f"depth must be >= 1, got {depth}")
    if op.operands[0].type != op.results[0].type:
        raise _Reject(
            f"input type {op.operands[0].type} does not match output type {op.results[0].type}"
        )


def _verify_fork(op):
    if len(op.results) < 1:
        raise _Reject("needs at least one output")
    for i, r in enumerate(op.results):
        if r.type != op.operands[0].type:
            raise _Reject(f"output #{i} type {r.type} does not match input type {op.operands[0].type}")


def _verify_matmul(op):
    x = S.channel_info(op.operands[0].type)
    y = S.channel_info(op.results[0].type)
    transpose = S.bool_attr(op, "transpose_w")
    if S.is_channel(op.operands[1].type):
        wc = S.channel_info(op.operands[1].type)
        if transpose:
            raise _Reject("a streamed weight cannot be transposed; stream it as [K, N]")
        if wc.padded:
            raise _Reject(f"a streamed weight must fill its words: {wc.lanes} lanes do not divide rows of "
                          f"{wc.row_length}")
        w = ir.RankedTensorType(wc.tensor_type)
    else:
        w = S.buffer_tensor(op.operands[1].type)
    if len(x.shape) != 2 or len(w.shape) != 2 or len(y.shape) != 2:
        raise _Reject(
            f"expects rank-2 input, weight and output, got {list(x.shape)}, {list(w.shape)}, {list(y.shape)}"
        )
    k, n = (w.shape[1], w.shape[0]) if transpose else (w.shape[0], w.shape[1])
    if x.shape[1] != k:
        raise _Reject(
            f"input has {x.shape[1]} features but the weight {list(w.shape)}"
            f"{' (transposed)' if transpose else ''} expects {k}"
        )
    if y.shape != (x.shape[0], n):
        raise _Reject(f"output shape {list(y.shape)} does not match expected {[x.shape[0], n]}")
    _same_elt(op, x.element_type, w.element_type, "weight")
    _same_elt(op, x.element_type, y.element_type, "output")
    macs = S.int_attr(op, "macs", 1)
    if macs < 1:
        raise _Reject(f"macs must be >= 1, got {macs}")


def _verify_map(op):
    out = S.channel_info(op.results[0].type)
    if len(op.operands) < 1:
        raise _Reject("needs at least one input")
    for i, v in enumerate(op.operands):
        info = S.channel_info(v.type)
        if info.shape != out.shape:
            raise _Reject(
                f"input #{i} has shape {list(info.shape)} but the output has {list(out.shape)}; "
                "broadcast explicitly with stream.broadcast"
            )
        if info.lanes != out.lanes:
            raise _Reject(f"input #{i} has {info.lanes} lanes but the output has {out.lanes}")
    region = op.regions[0]
    blocks = list(region.blocks)
    if len(blocks) != 1:
        raise _Reject(f"region must have exactly one block, got {len(blocks)}")
    block = blocks[0]
    if len(block.arguments) != len(op.operands):
        raise _Reject(
            f"region has {len(block.arguments)} arguments but the op has {len(op.operands)} inputs"
        )
    for i, (arg, v) in enumerate(zip(block.arguments, op.operands)):
        elt = S.channel_info(v.type).element_type
        if arg.type != elt:
            raise _Reject(f"region argument #{i} has type {arg.type} but input #{i} streams {elt}")
    ops = list(block.operations)
    term = ops[-1] if ops else None
    if term is None or term.operation.name != "stream.yield":
        raise _Reject("region must end with stream.yield")
    if len(term.operands) != 1 or term.operands[0].type != out.element_type:
        got = ", ".join(str(o.type) for o in term.operands)
        raise _Reject(f"region yields ({got}) but the output streams {out.element_type}")


def _verify_yield(op):
    parent = op.operation.parent
    if parent is None or parent.name != "stream.map":
        raise _Reject("must be inside a stream.map region")


def _verify_broadcast(op):
    out = S.channel_info(op.results[0].type)
    src = op.operands[0].type
    if S.is_buffer(src):
        t = S.buffer_tensor(src)
        feat, elt = tuple(t.shape), t.element_type
        while len(feat) > len(out.shape) - 1 and feat and feat[0] == 1:
            feat = feat[1:]  # leading unit dims of the buffer are free
        if len(feat) > len(out.shape) - 1 or any(
            f != 1 and f != o for f, o in zip(reversed(feat), reversed(out.shape[1:]))
        ):
            raise _Reject(f"cannot broadcast a buffer of {list(feat)} to samples of {list(out.shape[1:])}")
    else:
        info = S.channel_info(src)
        elt = info.element_type
        if len(info.shape) != len(out.shape) or info.shape[0] not in (1, out.shape[0]):
            raise _Reject(
                f"cannot broadcast a channel of {list(info.shape)} to {list(out.shape)}: "
                "same rank and batch (or a batch of 1) required"
            )
        if info.shape[0] != out.shape[0] and info.padded:
            raise _Reject("a row broadcast along the batch must fill its words (unpadded lanes)")
        if any(i != 1 and i != o for i, o in zip(info.shape[1:], out.shape[1:])):
            raise _Reject(f"cannot broadcast {list(info.shape)} to {list(out.shape)}: non-unit dims differ")
    _same_elt(op, elt, out.element_type, "output")


def _verify_reduce(op):
    inp = S.channel_info(op.operands[0].type)
    out = S.channel_info(op.results[0].type)
    dims = S.array_attr(op, "dims")
    rank = len(inp.shape)
    if not dims or any(d < 0 or d >= rank for d in dims) or len(set(dims)) != len(dims):
        raise _Reject(f"dims {dims} must be distinct dims in [0, {rank - 1}]")
    expected = tuple(1 if i in dims else d for i, d in enumerate(inp.shape))
    if out.shape != expected:
        raise _Reject(f"output shape {list(out.shape)} does not match expected {list(expected)}")
    _same_elt(op, inp.element_type, out.element_type, "output")


def _verify_slice(op):
    inp = S.channel_info(op.operands[0].type)
    out = S.channel_info(op.results[0].type)
    off, size, stride = (S.array_attr(op, k) for k in ("offsets", "sizes", "strides"))
    rank = len(inp.shape)
    if not (len(off) == len(size) == len(stride) == rank):
        raise _Reject(f"offsets, sizes and strides must have {rank} entries, got {len(off)}, {len(size)}, {len(stride)}")
    for d in range(rank):
        if stride[d] < 1 or size[d] < 1 or off[d] < 0 or off[d] + (size[d] - 1) * stride[d] >= inp.shape[d]:
            raise _Reject(
                f"dim {d}: offset {off[d]}, size {size[d]}, stride {stride[d]} is out of bounds for size {inp.shape[d]}"
            )
    if out.shape != tuple(size):
        raise _Reject(f"output shape {list(out.shape)} does not match sizes {size}")


def _verify_reshape(op):
    inp = S.channel_info(op.operands[0].type)
    out = S.channel_info(op.results[0].type)
    same_rows = inp.batch == out.batch and inp.elements_per_sample == out.elements_per_sample
    regroup = (inp.batch * inp.elements_per_sample == out.batch * out.elements_per_sample
               and not inp.padded and not out.padded and inp.lanes == out.lanes)
    if not (same_rows or regroup):
        raise _Reject(
            f"cannot reshape {list(inp.shape)} to {list(out.shape)}: batch and elements per sample must match "
            "(or, to regroup rows, the element counts and unpadded lanes)"
        )
    _same_elt(op, inp.element_type, out.element_type, "output")


def _verify_concat(op):
    out = S.channel_info(op.results[0].type)
    dim = ir.IntegerAttr(op.attributes["dim"]).value
    infos = [S.channel_info(v.type) for v in op.operands]
    rank = len(out.shape)
    if not infos:
        raise _Reject("needs at least one input")
    if dim < 0 or dim >= rank:
        raise _Reject(f"dim {dim} must be in [0, {rank - 1}]")
    for i, info in enumerate(infos):
        other = [d for j, d in enumerate(info.shape) if j != dim]
        want = [d for j, d in enumerate(out.shape) if j != dim]
        if len(info.shape) != rank or other != want:
            raise _Reject(f"input #{i} shape {list(info.shape)} is incompatible with output {list(out.shape)}")
        _same_elt(op, info.element_type, out.element_type, f"input #{i}")
    total = sum(i.shape[dim] for i in infos)
    if total != out.shape[dim]:
        raise _Reject(f"inputs add up to {total} along dim {dim} but the output has {out.shape[dim]}")


def _verify_transpose(op):
    inp = S.channel_info(op.operands[0].type)
    out = S.channel_info(op.results[0].type)
    perm = S.array_attr(op, "perm")
    if sorted(perm) != list(range(len(inp.shape))):
        raise _Reject(f"perm {perm} is not a permutation of the {len(inp.shape)} dims")
    expected = tuple(inp.shape[p] for p in perm)
    if out.shape != expected:
        raise _Reject(f"output shape {list(out.shape)} does not match expected {list(expected)}")
    _same_elt(op, inp.element_type, out.element_type, "output")


#: Operand and result kinds per op, as IRDL declares them: c = channel,
#: b = buffer, t = tensor, cb = either, * = variadic. MLIR runs these trait
#: verifiers before the IRDL ones, so on a kind mismatch we stay silent and
#: let IRDL report it.
_KINDS = {
    "stream.load": ("t", "c"),
    "stream.store": ("c", "t"),
    "stream.weights": ("t", "b"),
    "stream.fifo": ("c", "c"),
    "stream.fork": ("c", "c*"),
    "stream.matmul": ("c cb", "c"),
    "stream.transpose": ("c", "c"),
    "stream.map": ("c*", "c"),
    "stream.yield": ("", ""),
    "stream.broadcast": ("cb", "c"),
    "stream.reduce": ("c", "c"),
    "stream.slice": ("c", "c"),
    "stream.reshape": ("c", "c"),
    "stream.concat": ("c*", "c"),
}


def _kind_of(t) -> str:
    if S.is_channel(t):
        return "c"
    if S.is_buffer(t):
        return "b"
    return "t" if S.isa(t, ir.RankedTensorType) else "?"


def _kinds_ok(spec: str, values) -> bool:
    kinds = [_kind_of(v.type) for v in values]
    if spec.endswith("*"):
        return all(k == spec[0] for k in kinds)
    want = spec.split()
    return len(want) == len(kinds) and all(k in w for k, w in zip(kinds, want))


_RULES = {
    "stream.load": _verify_load,
    "stream.store": _verify_store,
    "stream.weights": _verify_weights,
    "stream.fifo": _verify_fifo,
    "stream.fork": _verify_fork,
    "stream.matmul": _verify_matmul,
    "stream.map": _verify_map,
    "stream.yield": _verify_yield,
    "stream.broadcast": _verify_broadcast,
    "stream.reduce": _verify_reduce,
    "stream.slice": _verify_slice,
    "stream.reshape": _verify_reshape,
    "stream.concat": _verify_concat,
    "stream.transpose": _verify_transpose,
}


def _make_trait(op_name: str, rule):
    operand_spec, result_spec = _KINDS[op_name]

    def verify_invariants(op):
        if op_name != "stream.yield" and not (
            _kinds_ok(operand_spec, op.operands) and _kinds_ok(result_spec, op.results)
        ):
            return True  # IRDL reports the kind mismatch
        try:
            with op.location:
                rule(op)
                _check_channel_results(op)
        except _Reject as e:
            return _fail(op, str(e))
        except Exception as e:  # a verifier bug must still be a diagnostic
            return _fail(op, f"internal verifier error: {type(e).__name__}: {e}")
        return True

    return type(
        f"Verify_{op_name.replace('.', '_')}",
        (ir.DynamicOpTrait,),
        {"verify_invariants": staticmethod(verify_invariants)},
    )


# Trait classes must outlive every context they are attached in.
_TRAITS = {name: _make_trait(name, rule) for name, rule in _RULES.items()}


def attach_all() -> None:
    """Attaches every verifier to its op in the current context."""
    for name, trait in _TRAITS.items():
        trait.attach(name)
