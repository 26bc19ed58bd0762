"""Pure-Python dataflow core: kernel timing model, FIFO balancing, deadlock check, simulator.

The MLIR passes extract a :class:`DataflowGraph` from ``stream`` IR, call
:func:`balance` and write the depths back; everything here is plain Python
and numpy/scipy so it can be tested and benchmarked without MLIR.
"""

from .graph import DataflowGraph, Edge, GraphBuilder, Kernel, Phase
from .simulate import SimResult
from .steady import simulate
from .deadlock import DeadlockReport, check_deadlock
from .balance import BalanceResult, balance, depth_for_shift, lp_depths

__all__ = [
    "BalanceResult", "DataflowGraph", "DeadlockReport", "Edge", "GraphBuilder", "Kernel", "Phase",
    "SimResult", "balance", "check_deadlock", "depth_for_shift", "lp_depths", "simulate",
]
