"""`inrarch_mlir.compile(...)`: the whole flow with a report (what `inrarch compile` runs)."""

from __future__ import annotations

from typing import Callable, Optional

from .compilation import Compilation
from .events import ProgressEvent
from .options import CompileOptions


def compile(model, order: Optional[int] = 1, batch: int = 64, *, outdir, outputs=None, head=None, precision: str = "float",
            dsp_budget: Optional[int] = None, in_features: Optional[int] = None, weights=None, ad: Optional[str] = None,
            seed: int = 0,
            stop_after: Optional[str] = None, dump_ir=None, overwrite: bool = False,
            progress: Optional[Callable[[ProgressEvent], None]] = None, part: str = "u50",
            clock_mhz: Optional[float] = None, allow_overfit: bool = False, trace_points: int = 256, limits=None,
            fifo_tolerance: Optional[float] = None):
    """Compiles `model` (a spec such as `siren:in=2,hidden=256,layers=4,out=3,w0=30`,
    `path.py:factory`, or an nn.Module) for derivatives up to `order` at `batch`.

    Writes `outdir/` (report.json, report.md, graph.dot[, graph.svg], fifo_occupancy.png,
    hls/ with the HLS project and hls/data/ with the testbench data) and returns the `Report`.

    - outputs: what to compute instead of every partial up to `order`: a list such as
      "y0_x0x0,gradient,laplacian,heat=y0_x2-0.1*y0_x0x0" (`frontend.outputs`); pass order=None
      (it follows from the outputs; a different explicit order is an error).
    - head: "path.py:factory" or an nn.Module applied to the concatenated outputs (INSP-style editing head).
    - dsp_budget: DSPs for stream-parallelize (default: 70% of the part's DSPs).
    - ad: "taylor" (forward Taylor-mode jets) or "reverse" (nested reverse mode); default: Taylor mode,
      falling back to reverse mode for a model without jet rules or whose samples interact.
    - weights: a trained checkpoint for the model (a state_dict in .pt/.pth, or .safetensors).
    - stop_after: a pass name of the pipeline (or "import"): stop there and write
      `outdir/<pass>.mlir` and a report.json with `stopped_after`.
    - dump_ir: a directory; the IR after every pass goes to `NN-<pass>.mlir` there.
    - overwrite: replace an existing non-empty `outdir`.
    - progress: called with a `ProgressEvent(stage, message, fraction)` whenever a step begins.
    - part: the device (u50, u55c, u280, u250, vck5000, zcu104, zcu102, or a Vitis part string).
    - clock_mhz: the kernel clock (default: the part's).
    - allow_overfit: emit a design that does not fit the part (and say so).
    - limits: `frontend.Limits` (max order, batch, estimated kernels), checked before anything
      is written; default `Limits()`.
    - fifo_tolerance: the fraction of throughput `stream-balance` may lose for smaller FIFOs (default 0.01).
    Raises `CompileFailed` (one-line message) on any user-facing failure.
    """
    options = CompileOptions(model, order, batch, precision=precision, dsp_budget=dsp_budget,
                             in_features=in_features, weights=weights, ad=ad, seed=seed, stop_after=stop_after, dump_ir=dump_ir,
                             part=part, clock_mhz=clock_mhz, allow_overfit=allow_overfit,
                             trace_points=trace_points, limits=limits, fifo_tolerance=fifo_tolerance,
                             outputs=outputs, head=head)
    return Compilation(options, progress).run(outdir, overwrite=overwrite)
