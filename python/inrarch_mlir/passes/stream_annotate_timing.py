"""stream-annotate-timing: the static rates of every kernel, as attributes."""

from __future__ import annotations

import dataclasses

from torch_mlir import ir

from ..dialects import stream as S
from ..dialects.stream_graph import kernel_model, kernel_names
from ..dialects.walk import funcs
from .base import ModulePass, PassError


def timing_of(kernel) -> dict[str, int]:
    """Latency to the first output word (from the kernel's start), II per
    word of the first writing phase, input words read before the first
    output, and cycles per sample at full speed (the kernel's period)."""
    phases = list(kernel.phases)
    first = next((i for i, ph in enumerate(phases) if any(ph.writes.values())), None)
    if first is None:  # a sink
        return {"latency": 0, "ii": 1, "need": 0, "cycles": kernel.period}
    before = phases[:first]
    writer = phases[first]
    words_out = max(writer.writes.values())
    return {"latency": sum(ph.duration for ph in before) + writer.latency,
            "ii": max(1, writer.cycles // max(1, words_out)),
            "need": sum(sum(ph.reads.values()) for ph in before),
            "cycles": kernel.period}


@dataclasses.dataclass(frozen=True)
class StreamAnnotateTimingPass(ModulePass):
    """Annotate each kernel with its latency, II, words needed and cycles.

    Writes `stream.timing = {latency, ii, need, cycles}` on every kernel op:
    cycles to the first output word, initiation interval per output word,
    input words read before the first output, and cycles per sample. The
    model (each kind's `timing`, inrarch_mlir.kernels) depends on the lanes of
    the channels and the `macs` of matmuls.
    """

    name = "stream-annotate-timing"

    def apply(self, module: ir.Module) -> None:
        for f in funcs(module):
            for op, name in kernel_names(f).items():
                try:
                    t = timing_of(kernel_model(op, name))
                except ValueError as e:
                    raise PassError(op, str(e)) from None
                op.attributes["stream.timing"] = ir.DictAttr.get({k: S.i64_attr(v) for k, v in t.items()})
