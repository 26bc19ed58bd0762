"""Every hardware constant of the compiler, in one place: the target.

What the timing model, `stream-parallelize`, the resource estimate and the
emitter assume about the FPGA and Vitis HLS: operator latencies, DSPs per
operator and per MAC, LUT/FF per kernel, BRAM18K and LUTRAM geometry, the
AXI word width, HLS's default FIFO depth, the default part and clock.
Figures are for float32 on an UltraScale+ device at 300 MHz (Vitis HLS
operator defaults, rounded); the resource tables are estimates, not
synthesis results (see `inrarch_mlir.resources`).

`Resources` (a DSP/BRAM18K/LUT/FF bundle) and the memory-cost rules
(`fifo_resources`, `buffer_resources`) live here because they encode the
device's memory geometry.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

# --------------------------------------------------------------------------
# Part and clock
# --------------------------------------------------------------------------

#: The default part: Alveo U50 (what INR-Arch targets).
DEFAULT_PART = "xcu50-fsvh2104-2-e"
#: The default clock: 300 MHz.
CLOCK_MHZ = 300.0
#: The same clock as a period in ns, as run_hls.tcl writes it.
DEFAULT_CLOCK_NS = 3.33

# --------------------------------------------------------------------------
# Latencies (cycles) of the kernels' arithmetic
# --------------------------------------------------------------------------

#: Pipeline latency of scalar ops in a map body (float32).
OP_LATENCY = {
    "arith.addf": 4, "arith.subf": 4, "arith.mulf": 3, "arith.divf": 12, "arith.negf": 0,
    "arith.maximumf": 1, "arith.minimumf": 1, "arith.select": 0, "arith.cmpf": 1,
    "arith.uitofp": 1, "arith.constant": 0, "math.sin": 10, "math.cos": 10, "math.exp": 10,
    "math.tanh": 16, "math.log": 12, "math.sqrt": 12, "math.rsqrt": 12, "math.absf": 0,
    "math.powf": 24, "stream.yield": 0,
}
#: Latency of a map-body op missing from OP_LATENCY.
DEFAULT_OP_LATENCY = 2
#: A matmul's adder tree and output register, before an output word.
MATMUL_LATENCY = 8
#: A reduce's accumulator adder, before the result word.
REDUCE_LATENCY = 4

# --------------------------------------------------------------------------
# Streams
# --------------------------------------------------------------------------

#: The depth HLS gives a stream without a STREAM pragma.
DEFAULT_FIFO_DEPTH = 2
#: Elements per word of a weight stream: one 512-bit AXI beat of 32-bit
#: values, so a 256x256 matrix loads in 4,096 cycles.
WEIGHT_LANES = 16
#: Widest channel word considered by stream-parallelize: 16 x 32 bits, one
#: 512-bit AXI beat.
MAX_LANES = 16

# --------------------------------------------------------------------------
# DSPs
# --------------------------------------------------------------------------

#: DSP48 slices per MAC unit: float32 = a 3-DSP multiplier and a 2-DSP
#: adder; fixed point (up to 32 bits) = 2.
DSP_PER_MAC = {"float": 5, "fixed": 2}
#: DSP48 slices per scalar operator in a map body (float32); ops not listed
#: use LUTs only.
MAP_OP_DSP = {"arith.mulf": 3, "arith.addf": 2, "arith.subf": 2, "arith.divf": 0, "math.sin": 8,
              "math.cos": 8, "math.exp": 7, "math.tanh": 10, "math.log": 6, "math.powf": 12}
#: The floating-point adder of a reduce kernel.
REDUCE_DSP = 2

# --------------------------------------------------------------------------
# LUT / FF (rough estimates)
# --------------------------------------------------------------------------

#: LUT / FF per MAC unit (multiplier + adder glue).
MATMUL_LUT_PER_MAC = {"float": 700, "fixed": 120}
MATMUL_FF_PER_MAC = {"float": 900, "fixed": 150}
#: Control overhead per kernel kind (address counters, FSM, stream handshakes).
KERNEL_LUT = {"matmul": 400, "map": 150, "load": 200, "store": 200, "fork": 60, "broadcast": 120,
              "reduce": 500, "slice": 100, "concat": 120}
KERNEL_FF = {"matmul": 500, "map": 200, "load": 250, "store": 250, "fork": 80, "broadcast": 150,
             "reduce": 600, "slice": 120, "concat": 150}
#: Control overhead of a kernel kind missing from KERNEL_LUT / KERNEL_FF.
DEFAULT_KERNEL_LUT = 100
DEFAULT_KERNEL_FF = 120
#: LUT / FF per scalar operator in a map body (float32; fixed point uses
#: FIXED_LOGIC_SCALE of it).
MAP_OP_LUT = {"arith.mulf": 120, "arith.addf": 250, "arith.subf": 250, "arith.divf": 800, "math.sin": 1800,
              "math.cos": 1800, "math.exp": 1000, "math.tanh": 1500, "math.log": 1200, "math.powf": 2500,
              "arith.negf": 40, "arith.select": 40, "arith.cmpf": 60, "arith.maximumf": 80,
              "arith.minimumf": 80, "math.sqrt": 900, "math.rsqrt": 900, "math.absf": 10}
MAP_OP_FF = {k: int(v * 1.2) for k, v in MAP_OP_LUT.items()}
#: LUT / FF of a map-body operator missing from the tables.
DEFAULT_MAP_OP_LOGIC = 30
FIXED_LOGIC_SCALE = 0.5

# --------------------------------------------------------------------------
# Memory geometry
# --------------------------------------------------------------------------

#: Bits in one BRAM18K.
BRAM18K_BITS = 18 * 1024
#: Buffers (per partition) or FIFOs of at most this many words are LUTRAM.
LUTRAM_MAX_ELEMENTS = 64
#: FIFOs of at most this depth are registers.
REGISTER_FIFO_MAX_DEPTH = 2


@dataclass
class Resources:
    """A bundle of device resources (a need or a capacity)."""

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


def fifo_resources(depth: int, bits: int) -> tuple[str, Resources]:
    """(implementation, resources) of one FIFO of `depth` words of `bits` bits.

    Registers up to REGISTER_FIFO_MAX_DEPTH words (plus muxing LUTs), LUTRAM
    (SRLC32E shift registers, 32 x 1 bit, two per LUT6) up to
    LUTRAM_MAX_ELEMENTS, BRAM18K beyond (the port width padding is ignored)."""
    if depth <= REGISTER_FIFO_MAX_DEPTH:
        return "registers", Resources(ff=depth * bits, lut=bits // 4 + 8)
    if depth <= LUTRAM_MAX_ELEMENTS:
        return "lutram", Resources(lut=math.ceil(bits / 2) * math.ceil(depth / 32) + 16, ff=bits + 16)
    return "bram", Resources(bram18k=math.ceil(depth * bits / BRAM18K_BITS), lut=40, ff=60)


def buffer_resources(elements: int, bits: int, partitions: int) -> Resources:
    """An on-chip buffer of `elements` split into `partitions` banks: a bank
    of at most LUTRAM_MAX_ELEMENTS is LUTRAM (a LUT6 holds 64 x 1 bits; half
    packing efficiency assumed), a larger one at least one BRAM18K."""
    partitions = max(1, partitions)
    per = math.ceil(elements / partitions)
    if per <= LUTRAM_MAX_ELEMENTS:
        return Resources(lut=math.ceil(per * bits / 32) * partitions)
    return Resources(bram18k=max(1, math.ceil(per * bits / BRAM18K_BITS)) * partitions)


def kernel_overhead(kind: str) -> Resources:
    """The control logic of one kernel of `kind` (no datapath)."""
    return Resources(lut=KERNEL_LUT.get(kind, DEFAULT_KERNEL_LUT), ff=KERNEL_FF.get(kind, DEFAULT_KERNEL_FF))
