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
# Device parts
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    """One FPGA part: its capacity and its default kernel clock.

    `bram18k` counts 18 Kb block RAMs (a 36 Kb block counts two); `uram`
    288 Kb UltraRAM blocks; `dsp` DSP48E2 slices (UltraScale+) or DSP58
    engines (Versal). `source` cites the data sheet the figures come from.
    """

    name: str  # short name: u50
    part: str  # the Vitis part string: xcu50-fsvh2104-2-e
    family: str  # "ultrascale+" or "versal"
    dsp: int
    bram18k: int
    uram: int
    lut: int
    ff: int
    clock_mhz: float  # default kernel clock
    source: str

    @property
    def onchip_bytes(self) -> int:
        """Block RAM plus UltraRAM, in bytes."""
        return (self.bram18k * BRAM18K_BITS + self.uram * URAM_BITS) // 8

    def capacity(self) -> dict:
        return {"dsp": self.dsp, "bram18k": self.bram18k, "uram": self.uram, "lut": self.lut, "ff": self.ff}


#: The parts the compiler knows, by short name. Capacities from AMD's data
#: sheets: DS965 (Alveo U50), DS978 (U55C), DS963 (U280), DS962 (U200/U250),
#: DS951 (VCK5000, the Versal VC1902 of DS950), DS891 (Zynq UltraScale+
#: MPSoC: ZU7EV on the ZCU104, ZU9EG on the ZCU102); clocks are the cards'
#: default kernel clocks (Alveo 300 MHz, VCK5000 300 MHz) and 200 MHz for
#: the MPSoC boards' PL.
PARTS: dict[str, Part] = {p.name: p for p in (
    Part("u50", "xcu50-fsvh2104-2-e", "ultrascale+", 5_952, 2_688, 640, 871_680, 1_743_360, 300.0,
         "DS965, Alveo U50 data sheet (XCU50: 5,952 DSP, 1,344 BRAM36, 640 URAM, 872K LUT)"),
    Part("u55c", "xcu55c-fsvh2892-2L-e", "ultrascale+", 9_024, 4_032, 960, 1_303_680, 2_607_360, 300.0,
         "DS978, Alveo U55C data sheet (9,024 DSP, 2,016 BRAM36, 960 URAM, 1,304K LUT)"),
    Part("u280", "xcu280-fsvh2892-2L-e", "ultrascale+", 9_024, 4_032, 960, 1_303_680, 2_607_360, 300.0,
         "DS963, Alveo U280 data sheet (9,024 DSP, 2,016 BRAM36, 960 URAM, 1,304K LUT)"),
    Part("u250", "xcu250-figd2104-2L-e", "ultrascale+", 12_288, 5_376, 1_280, 1_728_000, 3_456_000, 300.0,
         "DS962, Alveo U200/U250 data sheet (U250: 12,288 DSP, 2,688 BRAM36, 1,280 URAM, 1,728K LUT)"),
    Part("vck5000", "xcvc1902-vsvd1760-2MP-e-S", "versal", 1_968, 1_934, 463, 899_840, 1_799_680, 300.0,
         "DS950, Versal AI Core data sheet (VC1902: 1,968 DSP58, 967 BRAM36, 463 URAM, 900K LUT)"),
    Part("zcu104", "xczu7ev-ffvc1156-2-e", "ultrascale+", 1_728, 624, 96, 230_400, 460_800, 200.0,
         "DS891, Zynq UltraScale+ MPSoC data sheet (ZU7EV: 1,728 DSP, 312 BRAM36, 96 URAM, 230K LUT)"),
    Part("zcu102", "xczu9eg-ffvb1156-2-e", "ultrascale+", 2_520, 1_824, 0, 274_080, 548_160, 200.0,
         "DS891, Zynq UltraScale+ MPSoC data sheet (ZU9EG: 2,520 DSP, 912 BRAM36, no URAM, 274K LUT)"),
)}
#: The default part: the Alveo U50 INR-Arch targets.
DEFAULT_PART_NAME = "u50"
#: The default part as a Vitis part string (run_hls.tcl).
DEFAULT_PART = PARTS[DEFAULT_PART_NAME].part
#: The default clock: 300 MHz.
CLOCK_MHZ = 300.0
#: The same clock as a period in ns, as run_hls.tcl writes it.
DEFAULT_CLOCK_NS = 3.33
#: The DSP budget `inrarch compile` gives stream-parallelize by default: this
#: fraction of the part's DSPs, leaving room for the rest of the design and
#: for routing at the default clock.
DEFAULT_DSP_FRACTION = 0.7


def find_part(name: str) -> Part:
    """A part by short name (`u50`) or Vitis part string (`xcu50-fsvh2104-2-e`), case-insensitive.

    Raises ValueError listing the known parts."""
    key = name.strip().lower()
    if key in PARTS:
        return PARTS[key]
    for p in PARTS.values():
        if key == p.part.lower():
            return p
    known = ", ".join(f"{p.name} ({p.part})" for p in PARTS.values())
    raise ValueError(f"unknown part '{name}'; known parts: {known}")


def largest_part() -> Part:
    """The part with the most on-chip memory (the ceiling any model must fit under)."""
    return max(PARTS.values(), key=lambda p: (p.onchip_bytes, p.dsp))


# --------------------------------------------------------------------------
# Arithmetic latencies per part and clock
# --------------------------------------------------------------------------

#: Cycles of a pipelined float32 adder / multiplier as Vitis HLS schedules
#: them, by part family and clock: (fastest clock in MHz the latency holds
#: at, add, multiply). The UltraScale+ 300 MHz point is what Vitis HLS
#: reports for these operators at 3.33 ns (its cores
#: `fadd_32ns_32ns_32_4_full_dsp_1`, `fmul_32ns_32ns_32_3_max_dsp_1`, the
#: Floating-Point Operator of PG060 v7.1); the other points are
#: interpolations toward PG060's fully pipelined maxima (add 11, multiply 8),
#: never shorter than the 300 MHz point at higher clocks. Versal: the DSP58
#: in DSPFP32 mode (AM004) needs fewer stages. Estimates, not measured here
#: (no Vitis on this machine).
FLOAT_LATENCY = {
    "ultrascale+": ((150.0, 2, 2), (250.0, 3, 3), (300.0, 4, 3), (400.0, 7, 4), (10_000.0, 11, 8)),
    "versal": ((200.0, 2, 2), (300.0, 3, 3), (450.0, 4, 4), (10_000.0, 6, 6)),
}
#: Fixed-point adders are carry chains: one cycle at these clocks.
FIXED_ADD_LATENCY = 1
#: A fixed-point multiplier in one DSP, registered: 1 cycle (2 beyond 400 MHz).
FIXED_MUL_LATENCY = 1


def adder_latency(part: Part, clock_mhz: float, family: str) -> int:
    """Cycles between an accumulator's update and the next update that may use it (L)."""
    if family == "fixed":
        return FIXED_ADD_LATENCY
    return next(add for mhz, add, _ in FLOAT_LATENCY[part.family] if clock_mhz <= mhz)


def multiplier_latency(part: Part, clock_mhz: float, family: str) -> int:
    if family == "fixed":
        return FIXED_MUL_LATENCY if clock_mhz <= 400.0 else 2
    return next(mul for mhz, _, mul in FLOAT_LATENCY[part.family] if clock_mhz <= mhz)

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
    "math.floor": 1, "math.ceil": 1, "math.trunc": 1, "math.roundeven": 1,
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

#: DSP48 slices per MAC unit on UltraScale+: float32 = a 3-DSP multiplier
#: and a 2-DSP adder; fixed point (up to 32 bits) = 2.
DSP_PER_MAC = {"float": 5, "fixed": 2}
#: DSP58 engines per MAC unit on Versal: one DSPFP32 does a float32
#: multiply-add (AM004); a 32-bit fixed-point product takes two 27x24
#: multipliers.
DSP_PER_MAC_VERSAL = {"float": 1, "fixed": 2}


def dsp_per_mac(part: "Part", family: str) -> int:
    """DSPs of one MAC unit on `part` for 'float' or 'fixed'."""
    return (DSP_PER_MAC_VERSAL if part.family == "versal" else DSP_PER_MAC)[family]
#: DSP48 slices per scalar operator in a map body (float32); ops not listed
#: use LUTs only.
MAP_OP_DSP = {"arith.mulf": 3, "arith.addf": 2, "arith.subf": 2, "arith.divf": 0, "math.sin": 8,
              "math.cos": 8, "math.exp": 7, "math.tanh": 10, "math.log": 6, "math.powf": 12}
#: The floating-point adder of a reduce kernel.
REDUCE_DSP = 2
#: Region operators a jet functor run at II > 1 shares across the cycles of
#: its initiation interval, and the Vitis `ALLOCATION operation` name that
#: limits their float32 instances (fixed point: `mul`, kernels.jet.shared_config).
#: Library calls (sin, cos, exp, ...) are not shared: every call keeps its instance.
SHARED_OPS = {"arith.mulf": "fmul", "arith.addf": "fadd", "arith.subf": "fsub"}
#: LUTs of the input multiplexers per extra operation a shared operator
#: instance takes (two 32-bit operands: 2 x 32 LUT6 as 2:1 muxes).
SHARED_MUX_LUT = 64
#: Largest initiation interval stream-parallelize gives a jet functor.
MAX_JET_II = 64

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
              "arith.minimumf": 80, "math.sqrt": 900, "math.rsqrt": 900, "math.absf": 10,
              "math.floor": 60, "math.ceil": 80, "math.trunc": 80, "math.roundeven": 100}
MAP_OP_FF = {k: int(v * 1.2) for k, v in MAP_OP_LUT.items()}
#: LUT / FF of a map-body operator missing from the tables.
DEFAULT_MAP_OP_LOGIC = 30
FIXED_LOGIC_SCALE = 0.5

# --------------------------------------------------------------------------
# Memory geometry
# --------------------------------------------------------------------------

#: Bits in one BRAM18K.
BRAM18K_BITS = 18 * 1024
#: Bits in one UltraRAM block (4K x 72).
URAM_BITS = 288 * 1024
#: Buffers (per partition) or FIFOs of at most this many words are LUTRAM.
LUTRAM_MAX_ELEMENTS = 64
#: FIFOs of at most this depth are registers.
REGISTER_FIFO_MAX_DEPTH = 2


#: Words of one UltraRAM block (each up to 72 bits wide).
URAM_WORDS = 4096
#: Widest element a URAM word holds.
URAM_WORD_BITS = 72

#: The resources a design needs and a part has, in report order.
RESOURCE_NAMES = ("dsp", "bram18k", "uram", "lut", "ff")


@dataclass
class Resources:
    """A bundle of device resources (a need or a capacity)."""

    dsp: int = 0
    bram18k: int = 0
    uram: int = 0
    lut: int = 0
    ff: int = 0

    def __iadd__(self, o: "Resources") -> "Resources":
        self.dsp += o.dsp
        self.bram18k += o.bram18k
        self.uram += o.uram
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


def buffer_resources(elements: int, bits: int, partitions: int, *, uram: bool = False) -> Resources:
    """An on-chip buffer of `elements` split into `partitions` banks: a bank
    of at most LUTRAM_MAX_ELEMENTS is LUTRAM (a LUT6 holds 64 x 1 bits; half
    packing efficiency assumed), a larger one at least one BRAM18K; with
    `uram`, each bank takes ceil(elements / 4096) UltraRAMs (one element per
    72-bit word: banks are not packed together)."""
    partitions = max(1, partitions)
    per = math.ceil(elements / partitions)
    if per <= LUTRAM_MAX_ELEMENTS:
        return Resources(lut=math.ceil(per * bits / 32) * partitions)
    if uram:
        return Resources(uram=math.ceil(per / URAM_WORDS) * math.ceil(bits / URAM_WORD_BITS) * partitions)
    return Resources(bram18k=max(1, math.ceil(per * bits / BRAM18K_BITS)) * partitions)


def kernel_overhead(kind: str) -> Resources:
    """The control logic of one kernel of `kind` (no datapath)."""
    return Resources(lut=KERNEL_LUT.get(kind, DEFAULT_KERNEL_LUT), ff=KERNEL_FF.get(kind, DEFAULT_KERNEL_FF))
