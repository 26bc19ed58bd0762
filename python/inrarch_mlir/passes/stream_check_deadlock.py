"""stream-check-deadlock: a static proof that the FIFO depths cannot deadlock."""

from __future__ import annotations

import dataclasses

from torch_mlir import ir

from ..dataflow.deadlock import check_deadlock
from ..dialects import stream as S
from ..dialects.stream_graph import extract
from .base import ModulePass, PassError, forked_stream_funcs


@dataclasses.dataclass(frozen=True)
class StreamCheckDeadlockPass(ModulePass):
    """Prove the design deadlock-free, or name the FIFOs on a cycle of waits.

    Builds the word-level event graph (write k -> read k, read k -> write
    k+depth, program order of each kernel) and looks for a cycle, in both
    program orders: the pipelined one of the timing model (writes a pipeline
    latency after their iteration) and the sequential one (each write in its
    own loop iteration, the C++ source order the bounded C simulation runs).
    Channels
    without a stream.fifo get HLS's default depth of 2. On a cycle it emits
    an error at each FIFO involved and fails.
    """

    name = "stream-check-deadlock"

    def apply(self, module: ir.Module) -> None:
        for f in forked_stream_funcs(module):
            try:
                sg = extract(f)
            except ValueError as e:
                raise PassError(f, str(e)) from None
            try:
                report = check_deadlock(sg.graph)
            except ValueError as e:  # e.g. a model over the event limit
                raise PassError(f, f"cannot check: {e}") from None
            if report is None:
                continue
            for edge_name, state in report.fifos.items():
                producer, ri, consumer, oi, fifo = sg.edge_sites[edge_name]
                where = fifo if fifo is not None else consumer
                depth = S.fifo_depth(fifo) if fifo is not None else 2
                where.location.emit_error(
                    f"stream-check-deadlock: FIFO {edge_name} (depth {depth}) is {state} on a cycle of waits"
                )
            raise PassError(f, f"{report}; deepen the FIFOs above (run --stream-balance)")
