"""One place that makes MLIR contexts: upstream dialects, torch, stream."""

from __future__ import annotations

from torch_mlir import ir


def make_context(*, allow_unregistered: bool = False) -> ir.Context:
    """A context with every dialect inrarch-mlir reads or writes loaded.

    Upstream dialects (func, arith, math, linalg, tensor, ...) come from the
    bundled registry, `torch` from torch-mlir, `stream` from our IRDL file.
    """
    from torch_mlir.dialects import torch as torch_dialect

    from .dialects import stream

    ctx = ir.Context()
    torch_dialect.register_dialect(ctx)
    ctx.load_all_available_dialects()
    ctx.allow_unregistered_dialects = allow_unregistered
    stream.load_dialect(ctx)
    return ctx
