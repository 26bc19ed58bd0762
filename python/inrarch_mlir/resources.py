"""Resource estimate (DSP, BRAM18K, LUT, FF) of a stream design.

An *estimate from a documented model*, not a synthesis result. Every number
comes from the tables below, applied per kernel and per FIFO of a balanced
stream function (after `stream-parallelize` and `stream-balance`).

Kernels
-------
- ``matmul`` with ``macs`` MAC units: ``macs * dsp_per_mac`` DSPs (float32 5:
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
- ``map`` with L lanes: L copies of its body, each costing the DSPs from
  `stream_parallelize.MAP_OP_DSP` per scalar operator (the cost model of
  `stream-parallelize`) and LUT/FF per operator from ``MAP_OP_LUT``/``MAP_OP_FF``
  (operators without DSPs still cost LUTs); plus one control overhead.
- every other kernel (load, store, fork, broadcast, reduce, slice, concat):
  constant LUT/FF from ``KERNEL_LUT``/``KERNEL_FF``; a reduce adds one
  float adder (2 DSPs).

FIFOs (``depth`` words of ``bits`` bits)
----------------------------------------
- depth <= 2: registers, ``depth * bits`` FF (plus ``bits / 4 + 8`` LUTs of muxing);
- depth <= 64: LUTRAM (SRL/distributed RAM), ``ceil(bits / 2) * ceil(depth / 32)``
  LUTs (an SRLC32E shift register holds 32 x 1 bit, two per LUT6) plus
  ``bits`` FF for the output register;
- deeper: ``ceil(depth * bits / 18432)`` BRAM18K (the width is padded to the
  18-bit or 36-bit port, which we ignore).

Fixed-point designs use ``W`` bits per element in place of the channel's 32.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

#: Bits in one BRAM18K.
BRAM18K_BITS = 18 * 1024
#: Partitions (weight buffers) or FIFOs of at most this many words are LUTRAM.
LUTRAM_MAX_ELEMENTS = 64
#: DSPs per MAC unit.
DSP_PER_MAC = {"float": 5, "fixed": 2}
#: LUT / FF per MAC unit (multiplier + adder glue, float32; fixed uses half).
MATMUL_LUT_PER_MAC = {"float": 700, "fixed": 120}
MATMUL_FF_PER_MAC = {"float": 900, "fixed": 150}
#: Control overhead per kernel kind (address counters, FSM, stream handshakes).
KERNEL_LUT = {"matmul": 400, "map": 150, "load": 200, "store": 200, "fork": 60, "broadcast": 120,
              "reduce": 500, "slice": 100, "concat": 120}
KERNEL_FF = {"matmul": 500, "map": 200, "load": 250, "store": 250, "fork": 80, "broadcast": 150,
             "reduce": 600, "slice": 120, "concat": 150}
#: LUT / FF per scalar operator in a map body (float32 with DSPs; rough).
MAP_OP_LUT = {"arith.mulf": 120, "arith.addf": 250, "arith.subf": 250, "arith.divf": 800, "math.sin": 1800,
              "math.cos": 1800, "math.exp": 1000, "math.tanh": 1500, "math.log": 1200, "math.powf": 2500,
              "arith.negf": 40, "arith.select": 40, "arith.cmpf": 60, "arith.maximumf": 80,
              "arith.minimumf": 80, "math.sqrt": 900, "math.rsqrt": 900, "math.absf": 10}
MAP_OP_FF = {k: int(v * 1.2) for k, v in MAP_OP_LUT.items()}
#: Floating-point adder DSPs of a reduce kernel.
REDUCE_DSP = 2


@dataclass
class Resources:
    dsp: int = 0
    bram18k: int = 0
    lut: int = 0
    ff: int = 0

    def __iadd__(self, o: "Resources") -> "Resources":
        self.dsp += o.dsp
        self.bram18k += o.bram18k
        self.lut += o.lut
        self.ff += o.ff
        return self

    def to_dict(self) -> dict:
        return asdict(self)


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


def fifo_resources(depth: int, bits: int) -> tuple[str, Resources]:
    """(implementation, resources) of one FIFO of `depth` words of `bits` bits."""
    if depth <= 2:
        return "registers", Resources(ff=depth * bits, lut=bits // 4 + 8)
    if depth <= LUTRAM_MAX_ELEMENTS:
        return "lutram", Resources(lut=math.ceil(bits / 2) * math.ceil(depth / 32) + 16, ff=bits + 16)
    return "bram", Resources(bram18k=math.ceil(depth * bits / BRAM18K_BITS), lut=40, ff=60)


def buffer_resources(elements: int, bits: int, partitions: int) -> Resources:
    """A weight buffer of `elements` split into `partitions` banks."""
    partitions = max(1, partitions)
    per = math.ceil(elements / partitions)
    if per <= LUTRAM_MAX_ELEMENTS:
        return Resources(lut=math.ceil(per * bits / 32) * partitions)
    return Resources(bram18k=max(1, math.ceil(per * bits / BRAM18K_BITS)) * partitions)


def kernel_resources(op, kind: str, family: str, bits: int) -> Resources:
    """One kernel op of `kind` (matmul, map, ...); `family` is 'float' or 'fixed'."""
    from .dialects import stream as S
    from .passes.stream_parallelize import MAP_OP_DSP

    r = Resources(lut=KERNEL_LUT.get(kind, 100), ff=KERNEL_FF.get(kind, 120))
    if kind == "matmul":
        macs = S.int_attr(op, "macs", 1)
        w = S.matmul_weight_type(op)
        r.dsp += macs * DSP_PER_MAC[family]
        r.lut += macs * MATMUL_LUT_PER_MAC[family]
        r.ff += macs * MATMUL_FF_PER_MAC[family]
        r += buffer_resources(int(w.shape[0]) * int(w.shape[1]), bits, macs)
    elif kind == "map":
        lanes = S.channel_info(op.results[0].type).lanes  # the body is unrolled over the lanes
        for inner in S.map_body(op).operations:
            name = inner.operation.name
            scale = 1.0 if family == "float" else 0.5
            r.dsp += MAP_OP_DSP.get(name, 0) * lanes
            r.lut += int(MAP_OP_LUT.get(name, 30) * scale) * lanes
            r.ff += int(MAP_OP_FF.get(name, 30) * scale) * lanes
    elif kind == "reduce":
        r.dsp += REDUCE_DSP
    held = S.barrier_elements(op) if kind != "matmul" else 0
    if held:  # the whole-tensor buffer of a barrier
        r += buffer_resources(held, bits, 1)
    return r


def estimate(func_op, graph, family: str = "float", element_bits: int | None = None) -> Estimate:
    """The estimate for a balanced stream function and its extracted dataflow graph.

    - graph: `passes.stream_graph.extract(func_op).graph` (edges carry depths).
    - element_bits: bits per element (fixed<W,I>: W); None keeps the channels' own.
    """
    from .passes.stream_graph import kernel_names

    est = Estimate()
    for op, _name in kernel_names(func_op).items():
        kind = op.name.split(".", 1)[1]
        bits = element_bits or 32
        r = kernel_resources(op, kind, family, bits)
        est.kernels += r
        est.by_kind.setdefault(kind, Resources())
        est.by_kind[kind] += r
    for e in graph.edges:
        bits = word_bits(e, element_bits)
        impl, r = fifo_resources(e.depth or 2, bits)
        est.fifos += r
        est.fifo_kinds[impl] = est.fifo_kinds.get(impl, 0) + 1
    est.total += est.kernels
    est.total += est.fifos
    return est


def word_bits(edge, element_bits: int | None) -> int:
    """Bits of one FIFO word of `edge` with `element_bits` per element (None: as in the IR, 32-bit floats)."""
    if element_bits is None:
        return edge.bits_per_word
    lanes = max(1, edge.bits_per_word // 32)
    return lanes * element_bits
