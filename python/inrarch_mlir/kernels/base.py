"""The kernel-kind interface: every fact about one stream op, in one place.

An `OpKind` is to a stream op what an MLIR op interface implementation is to
an op: the builder, the verifier rule, the timing model (the C++ kernel's
program order as a `dataflow.Kernel`), the NumPy semantics (interpreter and
fixed-point range rule), the lanes constraint, the resource cost and the C++
call. `inrarch_mlir.kernels.KINDS` maps op names to their kinds;
`test/pytest/test_architecture.py` fails naming every op of
`dialects/stream.irdl.mlir` whose kind leaves an interface member
unimplemented. See `kernels/README.md` for the design.

This module is a leaf of the package (it imports the dialect core, the
dataflow model and the target only), so every layer above can use it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from torch_mlir import ir

from ..dataflow import Kernel
from ..dialects import stream_types as S
from ..target import (CLOCK_MHZ, DEFAULT_PART_NAME, REDUCE_LATENCY, Part, Resources, adder_latency, find_part,
                      multiplier_latency)

#: The element type every emitted kernel streams (a typedef in top.h).
DATA_T = "data_t"


class Reject(Exception):
    """Raised by a verifier rule: one broken rule, quoting the values seen."""


# --------------------------------------------------------------------------
# The target a function is built for (`stream-set-target`)
# --------------------------------------------------------------------------

#: Function attribute recording the part, clock and precision (stream-set-target).
TARGET_ATTR = "stream.target"


@dataclass(frozen=True)
class TargetInfo:
    """What the kernels of one function are timed for."""

    part: Part
    clock_mhz: float
    precision: str  # "float" or "fixed<W,I>"
    add_latency: int  # L: cycles before an accumulator may be updated again
    mul_latency: int

    @property
    def family(self) -> str:
        return "float" if self.precision == "float" else "fixed"


def target_attribute(part: Part, clock_mhz: float, precision: str, family: str) -> ir.Attribute:
    """The `stream.target` dictionary for a part, clock and precision."""
    return ir.DictAttr.get({
        "part": ir.StringAttr.get(part.name),
        "clock_mhz": ir.FloatAttr.get(ir.F64Type.get(), float(clock_mhz)),
        "precision": ir.StringAttr.get(precision),
        "add_latency": S.i64_attr(adder_latency(part, clock_mhz, family)),
        "mul_latency": S.i64_attr(multiplier_latency(part, clock_mhz, family)),
    })


def default_target() -> TargetInfo:
    part = find_part(DEFAULT_PART_NAME)
    return TargetInfo(part, CLOCK_MHZ, "float", adder_latency(part, CLOCK_MHZ, "float"),
                      multiplier_latency(part, CLOCK_MHZ, "float"))


def target_of(op) -> TargetInfo:
    """The target of the function enclosing `op` (the default target when it has none)."""
    f = op.operation if hasattr(op, "operation") else op
    while f is not None and f.name != "func.func":
        f = f.parent
    if f is None or TARGET_ATTR not in f.attributes:
        return default_target()
    d = ir.DictAttr(f.attributes[TARGET_ATTR])
    return TargetInfo(find_part(ir.StringAttr(d["part"]).value), ir.FloatAttr(d["clock_mhz"]).value,
                      ir.StringAttr(d["precision"]).value, ir.IntegerAttr(d["add_latency"]).value,
                      ir.IntegerAttr(d["mul_latency"]).value)


# --------------------------------------------------------------------------
# Values a kind hands to the other layers
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class LanesRule:
    """How `stream-parallelize` may set the lanes of an op's channels.

    - tie: every channel port carries one lanes value (one lanes group).
    - pin: "all" (every port stays at 1 lane: element-serial C++ loops or a
      barrier that regroups rows), "inputs" (the channel inputs stay at 1),
      or "" (free).
    """

    tie: bool = False
    pin: str = ""


#: On-chip memory by kind (report.json `onchip_bytes`); FIFOs are charged per edge.
MEMORY_KINDS = ("weights", "fifos", "row_buffers", "barrier_buffers")


def held(elements: int, bits: int) -> int:
    """Bytes of `elements` values of `bits` bits."""
    return -(-int(elements) * bits // 8)


#: Fixed-point scale rules (`OpKind.scale_rule`).
SCALE_OWN = "own"  # the op's measured range picks its output scale
SCALE_THROUGH = "through"  # values pass unchanged: outputs share the inputs' scale
SCALE_WEIGHTS = "weights"  # a weight buffer: its scale follows its reader's
SCALE_NONE = "none"  # no range recorded (wires, the store, the terminator)


@dataclass(frozen=True)
class CppType:
    """A type member of a kernel config struct (`using T = data_t;`)."""

    text: str


def cpp_shape(dims) -> CppType:
    """`inrarch::shape<d0, d1, ...>` (a compile-time shape)."""
    return CppType("inrarch::shape<" + ", ".join(str(int(d)) for d in dims) + ">")


@dataclass
class CppCall:
    """One emitted kernel call: `kernel<NAME_cfg>(args...)` with its config.

    `config` maps member names to a `CppType`, an int or a bool, in the
    order they are printed (hls4ml's CONFIG_T habit: named parameters)."""

    kernel: str
    config: dict = field(default_factory=dict)
    args: list = field(default_factory=list)

    def struct(self, name: str) -> str:
        """The config struct `name` (a namespace-scope C++ struct)."""
        types, ints, bools = [], [], []
        for key, value in self.config.items():
            if isinstance(value, CppType):
                types.append(f"  using {key} = {value.text};")
            elif isinstance(value, bool):
                bools.append(f"  static constexpr bool {key} = {'true' if value else 'false'};")
            elif isinstance(value, int):
                ints.append(f"{key} = {value}")
            else:
                raise TypeError(f"config member {key} of {self.kernel}: {value!r} is not a type, int or bool")
        if ints:
            ints = ["  static constexpr int " + ", ".join(ints) + ";"]
        return "\n".join([f"struct {name} {{", *types, *ints, *bools, "};"])

    def text(self, config_name: str) -> str:
        return f"{self.kernel}<{config_name}>({', '.join(self.args)})"


# --------------------------------------------------------------------------
# The interface
# --------------------------------------------------------------------------


class OpKind:
    """Every fact about one op of the stream dialect.

    Class attributes:
    - name: the op name (`stream.matmul`).
    - role: "kernel" (a dataflow process), "wire" (a FIFO or a free
      re-interpretation between kernels), "buffer" (on-chip weights read by
      one kernel) or "terminator".
    - operand_kinds / result_kinds: IRDL's operand and result kinds (c =
      channel, b = buffer, t = tensor, cb = either, x* = variadic, "" =
      none); the verifier stays silent on a mismatch and lets IRDL report it.
    - build: the builder (also exported as `stream.<op>(...)`).

    Methods (each kind implements every one, even where the answer is "not
    applicable", so that the answer is a stated fact):
    - verify(op): raise `Reject` on a broken rule.
    - is_barrier(op): whether the op combines samples (holds the whole tensor).
    - timing(op, name): the `dataflow.Kernel` of the C++ kernel's program
      order, or None for non-kernels.
    - evaluate(op, ins, ev): the op's results in NumPy float64 (the
      interpreter); `ev` gives the evaluated batch (`ev.rows`, `ev.coupled`,
      `ev.batched(shape)`, `ev.argument(i)`).
    - scale_rule(op): one of SCALE_OWN / SCALE_THROUGH / SCALE_WEIGHTS /
      SCALE_NONE: which range the fixed-point scale of its outputs follows.
    - lanes(op): its `LanesRule`.
    - resources(op, family, bits): its DSP/BRAM18K/URAM/LUT/FF estimate
      (`family` "float" or "fixed", `bits` per element).
    - memory(op, bits): the bytes it holds on chip, by kind (`MEMORY_KINDS`
      but "fifos": "weights", "row_buffers", "barrier_buffers"), as the
      elements its C++ arrays hold (not rounded to memory blocks).
    - emit(op, ctx): its `CppCall`, or None when it emits no process; `ctx`
      is the emitter's `emit.hls.calls.CallContext`.
    """

    INTERFACE: ClassVar[tuple[str, ...]] = (
        "role", "operand_kinds", "result_kinds", "build", "verify", "is_barrier", "timing", "evaluate",
        "scale_rule", "lanes", "resources", "memory", "emit")

    name: ClassVar[str] = ""
    role: ClassVar[str | None] = None
    operand_kinds: ClassVar[str | None] = None
    result_kinds: ClassVar[str | None] = None

    @staticmethod
    def build(*args, **kwargs):  # pragma: no cover - interface
        raise NotImplementedError

    def verify(self, op) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def is_barrier(self, op) -> bool:  # pragma: no cover - interface
        raise NotImplementedError

    def timing(self, op, name: str) -> Kernel | None:  # pragma: no cover - interface
        raise NotImplementedError

    def evaluate(self, op, ins: list, ev) -> list:  # pragma: no cover - interface
        raise NotImplementedError

    def scale_rule(self, op) -> str:  # pragma: no cover - interface
        raise NotImplementedError

    def lanes(self, op) -> LanesRule:  # pragma: no cover - interface
        raise NotImplementedError

    def resources(self, op, family: str, bits: int) -> Resources:  # pragma: no cover - interface
        raise NotImplementedError

    def memory(self, op, bits: int) -> dict:  # pragma: no cover - interface
        raise NotImplementedError

    def emit(self, op, ctx) -> CppCall | None:  # pragma: no cover - interface
        raise NotImplementedError

    @property
    def short(self) -> str:
        """The op name without the dialect (`matmul`): the kernel kind."""
        return self.name.split(".", 1)[1]


# --------------------------------------------------------------------------
# Helpers shared by several kinds
# --------------------------------------------------------------------------


def words(value) -> int:
    """Words per sample of a channel value."""
    return S.channel_info(value.type).words_per_sample


def rows(value) -> int:
    """Rows (the batch) of a channel value."""
    return S.channel_info(value.type).batch


def out_info(op) -> S.ChannelInfo:
    return S.channel_info(op.results[0].type)


def in_info(op, i: int = 0) -> S.ChannelInfo:
    return S.channel_info(op.operands[i].type)


def barrier_timing(op, name: str, kind: str) -> Kernel:
    """A kernel that combines samples: all input rows in, then all output rows out.

    Each channel input is read in its own stage (its rows x words per row),
    in operand order; the output rows are written in the last stage (after
    the adder, for a sum)."""
    out = out_info(op)
    ins = [v for v in op.operands if S.is_channel(v.type)]
    return Kernel.barrier(name, [words(v) for v in ins], out.words_per_sample,
                          latency=REDUCE_LATENCY if kind == "reduce" else 0, samples=[rows(v) for v in ins],
                          samples_out=out.batch, kind=kind)


def same_element_type(a, b, what: str) -> None:
    if a != b:
        raise Reject(f"{what}: element type {a} does not match {b}")
