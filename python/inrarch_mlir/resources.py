"""Resource estimate (DSP, BRAM18K, LUT, FF) of a stream design.

An *estimate from a documented model*, not a synthesis result. Every number
comes from the tables of `inrarch_mlir.target`, applied per kernel (each
kind's `resources`, `inrarch_mlir.kernels`) and per FIFO of a balanced
stream function (after `stream-parallelize` and `stream-balance`).

Kernels
-------
- ``matmul`` with ``macs`` MAC units: ``macs * DSP_PER_MAC`` DSPs (float32 5:
  a 3-DSP multiplier and a 2-DSP adder; fixed point 2), the same cost model as
  `stream-parallelize`. Its weight buffer (K*N elements of ``bits`` bits) is
  cyclically partitioned over the MACs: each of the ``macs`` partitions holds
  ``ceil(K*N / macs)`` elements; a partition of at most
  ``LUTRAM_MAX_ELEMENTS`` (64) elements is LUTRAM, counted as
  ``ceil(elements * bits / 32)`` LUTs (a LUT6 holds 64 x 1 bits; we assume half
  packing efficiency), a larger one takes
  ``ceil(elements * bits / 18432)`` BRAM18K (at least one).
  LUT/FF: ``MATMUL_LUT_PER_MAC`` / ``MATMUL_FF_PER_MAC`` per MAC plus a
  control overhead (``KERNEL_LUT["matmul"]``).
- ``map`` with L lanes: L copies of its body, each costing the DSPs of
  ``MAP_OP_DSP`` per scalar operator (the cost model of `stream-parallelize`)
  and LUT/FF per operator from ``MAP_OP_LUT``/``MAP_OP_FF`` (operators without
  DSPs still cost LUTs); plus one control overhead.
- every other kernel (load, store, fork, broadcast, reduce, slice, concat,
  transpose): constant LUT/FF from ``KERNEL_LUT``/``KERNEL_FF``; a reduce adds
  one float adder (2 DSPs); a barrier adds its whole-tensor buffer.

Weight buffers go to URAM when `stream-fit` says so (``stream.weight_storage``):
each of the ``macs`` partitions then takes ``ceil(elements / 4096)`` URAMs.

FIFOs (``depth`` words of ``bits`` bits), `target.fifo_resources`
-----------------------------------------------------------------
- depth <= 2: registers, ``depth * bits`` FF (plus ``bits / 4 + 8`` LUTs of muxing);
- depth <= 64: LUTRAM (SRL/distributed RAM), ``ceil(bits / 2) * ceil(depth / 32)``
  LUTs (an SRLC32E shift register holds 32 x 1 bit, two per LUT6) plus
  ``bits`` FF for the output register;
- deeper: ``ceil(depth * bits / 18432)`` BRAM18K (the width is padded to the
  18-bit or 36-bit port, which we ignore).

Fixed-point designs use ``W`` bits per element in place of the channel's 32.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .dialects.stream_graph import kernel_names
from .kernels import KINDS
from .kernels.base import MEMORY_KINDS
from .target import DEFAULT_FIFO_DEPTH, RESOURCE_NAMES, Part, Resources, fifo_resources

__all__ = ["Estimate", "Resources", "estimate", "onchip_bytes", "utilization", "word_bits"]


@dataclass
class Estimate:
    """Totals, split into kernels and FIFOs, with per-kind subtotals."""

    total: Resources = field(default_factory=Resources)
    kernels: Resources = field(default_factory=Resources)
    fifos: Resources = field(default_factory=Resources)
    by_kind: dict = field(default_factory=dict)
    fifo_kinds: dict = field(default_factory=dict)  # "registers"/"lutram"/"bram" -> count

    def to_dict(self) -> dict:
        return {"total": self.total.to_dict(), "kernels": self.kernels.to_dict(), "fifos": self.fifos.to_dict(),
                "by_kind": {k: v.to_dict() for k, v in self.by_kind.items()}, "fifo_kinds": dict(self.fifo_kinds),
                "model": "estimate (inrarch_mlir.resources), not a synthesis result"}


def estimate(func_op, graph, family: str = "float", element_bits: int | None = None) -> Estimate:
    """The estimate for a balanced stream function and its extracted dataflow graph.

    - graph: `dialects.stream_graph.extract(func_op).graph` (edges carry depths).
    - element_bits: bits per element (fixed<W,I>: W); None keeps the channels' own.
    """
    est = Estimate()
    bits = element_bits or 32
    for op in kernel_names(func_op):
        kind = KINDS[op.name]
        r = kind.resources(op, family, bits)
        est.kernels += r
        est.by_kind.setdefault(kind.short, Resources())
        est.by_kind[kind.short] += r
    for e in graph.edges:
        impl, r = fifo_resources(e.depth or DEFAULT_FIFO_DEPTH, word_bits(e, element_bits))
        est.fifos += r
        est.fifo_kinds[impl] = est.fifo_kinds.get(impl, 0) + 1
    est.total += est.kernels
    est.total += est.fifos
    return est


def onchip_bytes(func_op, graph, element_bits: int | None = None) -> dict:
    """Bytes held on chip, by kind (`kernels.base.MEMORY_KINDS`) and `total`.

    What the C++ arrays hold, not rounded to memory blocks (the paper's MB):
    weight buffers, FIFO words (depth x word bits), per-sample row buffers
    (a matmul's double-buffered input row, a channel broadcast's sample, ...)
    and the whole-tensor buffers of barrier kernels."""
    bits = element_bits or 32
    out = {k: 0 for k in MEMORY_KINDS}
    for op in kernel_names(func_op):
        for k, b in KINDS[op.name].memory(op, bits).items():
            out[k] += b
    out["fifos"] = sum(-(-(e.depth or DEFAULT_FIFO_DEPTH) * word_bits(e, element_bits) // 8) for e in graph.edges)
    out["total"] = sum(out[k] for k in MEMORY_KINDS)
    return out


def utilization(need: Resources, part: Part) -> dict:
    """resource -> need / capacity (the part has none of a resource: inf if needed, else 0)."""
    cap = part.capacity()
    out = {}
    for name in RESOURCE_NAMES:
        n = getattr(need, name)
        out[name] = n / cap[name] if cap[name] else (float("inf") if n else 0.0)
    return out


def first_overfit(need: Resources, part: Part) -> tuple[str, int, int] | None:
    """(resource, need, capacity) of the first resource the design needs more of than `part` has."""
    cap = part.capacity()
    for name in RESOURCE_NAMES:
        if getattr(need, name) > cap[name]:
            return name, getattr(need, name), cap[name]
    return None


def word_bits(edge, element_bits: int | None) -> int:
    """Bits of one FIFO word of `edge` with `element_bits` per element (None: as in the IR, 32-bit floats)."""
    if element_bits is None:
        return edge.bits_per_word
    lanes = max(1, edge.bits_per_word // 32)
    return lanes * element_bits
