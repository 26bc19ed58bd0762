"""stream-annotate-timing: the static rates of every kernel, as attributes."""

from __future__ import annotations

import dataclasses

from torch_mlir import ir

from ..dialects import stream as S
from .base import ModulePass, PassError
from .stream_graph import kernel_model, kernel_names
from .walk import funcs



def timing_of(kernel) -> dict[str, int]:
    """Latency to first output word, II per word, words read before the
    first output, and cycles per sample of one kernel model."""
    first = kernel.phases[0]
    before = sum(sum(ph.reads.values()) for ph in kernel.phases if not ph.writes) if kernel.phases else 0
    writes_phase = next((ph for ph in kernel.phases if ph.writes), first)
    lat = sum(ph.cycles for ph in kernel.phases if not ph.writes) + writes_phase.latency
    words_out = max(writes_phase.writes.values()) if writes_phase.writes else 1
    ii = max(1, writes_phase.cycles // max(1, words_out))
    return {"latency": lat, "ii": ii, "need": before, "cycles": sum(ph.cycles for ph in kernel.phases)}


@dataclasses.dataclass(frozen=True)
class StreamAnnotateTimingPass(ModulePass):
    """Annotate each kernel with its latency, II, words needed and cycles.

    Writes `stream.timing = {latency, ii, need, cycles}` on every kernel op:
    cycles to the first output word, initiation interval per output word,
    input words read before the first output, and cycles per sample. The
    model (dataflow.graph.Kernel and stream_graph) depends on the lanes of
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
