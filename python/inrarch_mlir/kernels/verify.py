"""The kinds' verifier rules, attached to their ops as MLIR traits.

Each kind's `verify` becomes a `DynamicOpTrait` attached to its op name, so
MLIR runs it during ordinary verification (after parsing, after every pass)
and its errors are located diagnostics, never Python exceptions. Every op
with channel results is also checked for valid lanes and exactly one
consumer (fan-out goes through `stream.fork`).
"""

from __future__ import annotations

from torch_mlir import ir

from ..dialects import stream_types as S
from . import KINDS
from .base import OpKind, Reject


def _fail(op, message: str):
    op.location.emit_error(f"'{op.operation.name}' op {message}")
    return False


def _parent_allows_fanout(op) -> bool:
    parent = op.operation.parent
    while parent is not None:
        if parent.name == "func.func":
            return S.IMPLICIT_FORKS_ATTR in parent.attributes
        parent = parent.parent
    return False


def check_channel_results(op) -> None:
    """Every channel result: valid lanes, and exactly one consumer."""
    fanout_ok = None
    for i, res in enumerate(op.operation.results):
        if S.is_channel(res.type):
            info = S.channel_info(res.type)
            if info.lanes < 1:
                raise Reject(f"result #{i} has lanes = {info.lanes}; lanes must be >= 1")
            if info.row_length % info.lanes and not info.padded:
                raise Reject(
                    f"result #{i}: lanes = {info.lanes} does not divide the row length "
                    f"{info.row_length}; declare padding with #stream.padded<{info.lanes} : i64>"
                )
            if not info.shape or any(d < 1 for d in info.shape):
                raise Reject(f"result #{i} has shape {list(info.shape)}; expected a batch dim and positive sizes")
        elif not S.is_buffer(res.type):
            continue
        n = sum(1 for _ in res.uses)
        if n == 0:
            raise Reject(
                f"result #{i} has no consumer; every channel and buffer needs exactly one "
                "(a dangling stream blocks its producer)"
            )
        if n > 1:
            if fanout_ok is None:
                fanout_ok = _parent_allows_fanout(op) and S.is_channel(res.type)
            if not fanout_ok:
                raise Reject(
                    f"result #{i} has {n} consumers; expected exactly 1: insert a "
                    "stream.fork (run --stream-insert-forks on a function marked "
                    f"{S.IMPLICIT_FORKS_ATTR})"
                )


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


def _make_trait(kind: OpKind):
    # MLIR runs trait verifiers before the IRDL ones: on an operand/result
    # kind mismatch stay silent and let IRDL report it.
    check_kinds = kind.role != "terminator"

    def verify_invariants(op):
        if check_kinds and not (_kinds_ok(kind.operand_kinds, op.operands) and
                                _kinds_ok(kind.result_kinds, op.results)):
            return True
        try:
            with op.location:
                kind.verify(op)
                check_channel_results(op)
        except Reject as e:
            return _fail(op, str(e))
        except Exception as e:  # a verifier bug must still be a diagnostic
            return _fail(op, f"internal verifier error: {type(e).__name__}: {e}")
        return True

    return type(f"Verify_{kind.name.replace('.', '_')}", (ir.DynamicOpTrait,),
                {"verify_invariants": staticmethod(verify_invariants)})


# Trait classes must outlive every context they are attached in.
_TRAITS = {name: _make_trait(kind) for name, kind in KINDS.items()}


def attach_all() -> None:
    """Attaches every kind's verifier to its op in the current context."""
    for name, trait in _TRAITS.items():
        trait.attach(name)
