"""What a compile is asked to do: `CompileOptions`, validated before any work."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from ..target import DEFAULT_DSP_FRACTION, DEFAULT_PART_NAME, find_part

#: The DSP budget when none is given: this fraction of the part's DSPs.
DEFAULT_DSP_BUDGET = "70% of the part's DSPs"
#: Extra coordinates (uniform in [-1, 1]) the range analysis samples besides
#: the testbench batch.
RANGE_SAMPLES = 1024
#: Name given to the imported torch-dialect IR in diagnostics: its lines are
#: those of `inrarch import` output and of `--dump-ir`'s 00-import.mlir.
IMPORT_FILENAME = "import.mlir"


class CompileFailed(Exception):
    """A user-facing failure; `str()` is one line."""


@dataclass
class CompileOptions:
    """Everything `inrarch compile` and `inrarch_mlir.compile` take.

    - model: a spec (`siren:in=2,...`, `path.py:factory`) or an nn.Module.
    - dsp_budget: DSPs for `stream-parallelize` (default: `target.DEFAULT_DSP_FRACTION`
      of the part's); parallelize=False skips the pass (lanes 1, one MAC each).
    - stop_after: a pass of the pipeline (or "import"): stop there, write its IR.
    - dump_ir: a directory for the IR after every pass (`NN-<pass>.mlir`).
    - ad: the derivative algorithm, "taylor" (forward jets) or "reverse" (nested reverse mode, INR-Arch's);
      None: Taylor mode, falling back to reverse mode (and saying why) for a model it cannot take.
    - weights: a trained checkpoint (state_dict .pt/.pth, or .safetensors) loaded into the model.
    - part: a `target.Part` or its name (u50, ..., or a Vitis part string).
    - clock_mhz: the kernel clock (default: the part's).
    - allow_overfit: emit a design that does not fit the part (and say so).
    - limits: `frontend.Limits` (order, batch, estimated kernels).
    - fifo_tolerance: the throughput loss `stream-balance` may trade for smaller FIFOs (a fraction of the
      cycles with unbounded FIFOs); None: the pass's default.
    - outputs: a `--outputs` list (partials, operators such as `laplacian`, linear combinations; text
      or `frontend.Output`s): the design computes only these; `order` then follows from them (None).
    - head: `path.py:factory` or an nn.Module applied to the concatenated outputs (needs outputs).
    """

    model: Any
    order: Optional[int] = 1
    batch: int = 64
    precision: str = "float"
    dsp_budget: Optional[int] = None
    parallelize: bool = True
    in_features: Optional[int] = None
    weights: Optional[str] = None
    ad: Optional[str] = None
    seed: int = 0
    stop_after: Optional[str] = None
    dump_ir: Optional[Path] = None
    part: Any = DEFAULT_PART_NAME
    clock_mhz: Optional[float] = None
    allow_overfit: bool = False
    trace_points: int = 256
    range_samples: int = RANGE_SAMPLES
    limits: Any = None
    fifo_tolerance: Optional[float] = None
    outputs: Any = None
    head: Any = None
    family: str = field(init=False, default="float")
    element_bits: Optional[int] = field(init=False, default=None)

    def __post_init__(self):
        if self.order is None and self.outputs is None:
            raise CompileFailed("give an order (all partials up to it) or outputs")
        if self.head is not None and self.outputs is None:
            raise CompileFailed("a head needs outputs: its inputs are the outputs it names")
        if self.order is not None and self.order < 0:
            raise CompileFailed(f"order must be >= 0, got {self.order}")
        if self.batch < 1:
            raise CompileFailed(f"batch must be >= 1, got {self.batch}")
        p = self.precision.replace(" ", "")
        if p != "float":
            m = re.fullmatch(r"fixed<(\d+),(-?\d+)>", p)
            if not m:
                raise CompileFailed(f"bad precision '{self.precision}': expected float or fixed<W,I> "
                                    "(e.g. fixed<32,10>)")
            from ..emit.hls.precision import Precision

            try:  # the emitter's rule, checked before any work
                Precision.parse(p)
            except ValueError as e:
                raise CompileFailed(str(e)) from None
            self.family, self.element_bits = "fixed", int(m.group(1))
        self.precision = p
        if self.dump_ir is not None:
            self.dump_ir = Path(self.dump_ir)
        if self.ad not in (None, "taylor", "reverse"):
            raise CompileFailed(f"ad must be 'taylor' or 'reverse', got '{self.ad}'")
        try:
            self.part = find_part(self.part) if isinstance(self.part, str) else self.part
        except ValueError as e:
            raise CompileFailed(str(e)) from None
        if self.clock_mhz is None:
            self.clock_mhz = self.part.clock_mhz
        if not self.clock_mhz > 0:
            raise CompileFailed(f"clock must be > 0 MHz, got {self.clock_mhz}")
        if self.fifo_tolerance is not None and not 0 <= self.fifo_tolerance < 1:
            raise CompileFailed(f"fifo tolerance must be in [0, 1), got {self.fifo_tolerance}")
        if self.dsp_budget is None:
            self.dsp_budget = int(self.part.dsp * DEFAULT_DSP_FRACTION)
        if self.dsp_budget < 1:
            raise CompileFailed(f"dsp-budget must be >= 1, got {self.dsp_budget}")
        if self.parallelize and self.dsp_budget > self.part.dsp and not self.allow_overfit:
            raise CompileFailed(f"--dsp-budget {self.dsp_budget:,} is more than the {self.part.dsp:,} DSPs of "
                                f"{self.part.name} ({self.part.part}); lower it, pick a larger --part, or pass "
                                "--allow-overfit")

    @property
    def model_name(self) -> str:
        return self.model if isinstance(self.model, str) else type(self.model).__name__
