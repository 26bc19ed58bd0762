"""stream-balance: FIFO depths from an LP over kernel start times."""

from __future__ import annotations

import dataclasses
import math

from torch_mlir import ir

from ..dataflow.balance import balance
from ..dialects import stream as S
from ..dialects.stream_graph import extract, set_depth
from .base import ModulePass, PassError, forked_stream_funcs, option



@dataclasses.dataclass(frozen=True)
class StreamBalancePass(ModulePass):
    """Size every FIFO for full throughput with the fewest bits (LP + check).

    A linear program over kernel start times (scipy HiGHS) gives the depths
    that minimize total FIFO bits while every kernel runs at the period of
    the slowest one; the cycle simulator then verifies them (raising FIFOs
    that stall) and shrinks them until tight. Every kernel-to-kernel channel
    gets a `stream.fifo`; the function records `stream.fifo_bits`,
    `stream.fifo_bits_lp` (the LP optimum for a static periodic schedule; not
    a lower bound, since stalling kernels often need less), `stream.cycles`
    and `stream.cycles_unbounded`.
    """

    name = "stream-balance"
    min_depth: int = option(2, "smallest depth any FIFO gets (words)")
    tolerance: float = option(0.01, "fraction by which the cycles may exceed those with unbounded FIFOs (0.01 = 1%)")
    shrink: bool = option(True, "bisect every FIFO down until one word less deadlocks or costs throughput")

    def __post_init__(self):
        if self.min_depth < 1:
            raise ValueError(f"min-depth must be >= 1, got {self.min_depth}")
        if not 0 <= self.tolerance < 1:
            raise ValueError(f"tolerance must be in [0, 1), got {self.tolerance}")

    def apply(self, module: ir.Module) -> None:
        for f in forked_stream_funcs(module):
            try:
                sg = extract(f, depth_of_missing=None)
                result = balance(sg.graph, min_depth=self.min_depth, tol=self.tolerance, shrink=self.shrink)
            except (ValueError, RuntimeError) as e:
                raise PassError(f, f"cannot balance: {e}") from None
            for edge_name, depth in result.depths.items():
                set_depth(sg.edge_sites[edge_name], depth)
            f.attributes["stream.fifo_bits"] = S.i64_attr(result.total_bits)
            f.attributes["stream.fifo_words"] = S.i64_attr(result.total_words)
            f.attributes["stream.fifo_bits_lp"] = S.i64_attr(math.ceil(result.lp_optimum_bits))
            f.attributes["stream.cycles"] = S.i64_attr(result.cycles)
            f.attributes["stream.cycles_unbounded"] = S.i64_attr(result.reference_cycles)
