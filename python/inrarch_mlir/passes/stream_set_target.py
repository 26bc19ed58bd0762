"""stream-set-target: the device, clock and precision the design is built for."""

from __future__ import annotations

import dataclasses
import re

from torch_mlir import ir

from ..dialects import stream as S
from ..kernels.base import TARGET_ATTR, target_attribute
from ..target import CLOCK_MHZ, DEFAULT_PART_NAME, find_part
from .base import ModulePass, PassError, option


@dataclasses.dataclass(frozen=True)
class StreamSetTargetPass(ModulePass):
    """Record the target part, clock and precision the kernels are timed for.

    Writes `stream.target = {part, clock_mhz, precision, add_latency,
    mul_latency}` on every stream function: the adder latency L (float32:
    several cycles; fixed point: 1) decides how accumulating kernels
    interleave their partial sums so that no accumulator is updated twice
    within L cycles, and so their timing. Kernels of a function without the
    attribute are timed for the default target (u50, 300 MHz, float).
    """

    name = "stream-set-target"
    part: str = option(DEFAULT_PART_NAME, "device part: a short name (u50, u55c, u280, u250, vck5000, zcu104, "
                                          "zcu102) or its Vitis part string")
    clock_mhz: float = option(CLOCK_MHZ, "kernel clock in MHz")
    precision: str = option("float", "element type of the emitted design: float or fixed<W,I>")

    def __post_init__(self):
        find_part(self.part)  # ValueError (an option error) for an unknown part
        if not self.clock_mhz > 0:
            raise ValueError(f"clock-mhz must be > 0, got {self.clock_mhz}")
        if self.precision != "float" and not re.fullmatch(r"fixed<\d+,-?\d+>", self.precision.replace(" ", "")):
            raise ValueError(f"precision must be float or fixed<W,I>, got '{self.precision}'")

    def apply(self, module: ir.Module) -> None:
        part = find_part(self.part)
        family = "float" if self.precision == "float" else "fixed"
        for f in module.body.operations:
            f = f.operation
            if f.name != "func.func":
                continue
            channels = [v for op in f.regions[0].blocks[0].operations for v in op.results if S.is_channel(v.type)]
            if not channels:
                continue
            for v in channels:
                elt = S.channel_info(v.type).element_type
                if elt != ir.F32Type.get():
                    raise PassError(v.owner, f"stream-set-target: channels of {elt} are not supported; the "
                                             "kernels stream f32 (emitted as float or as fixed<W,I>)")
            with f.context:
                f.attributes[TARGET_ATTR] = target_attribute(part, self.clock_mhz, self.precision, family)
