"""Stream-dialect MLIR -> a Vitis HLS project checked by g++ C simulation.

    inrarch-translate --emit-hls in.mlir -o outdir/ [--precision fixed<32,10>]

- `precision`: float or fixed<W,I>.
- `design`: the model a project is printed from (ports, FIFOs, processes).
- `calls`: the context each kernel kind's `emit` builds its call in.
- `scales`: fixed-point scales per coefficient row of every channel.
- `analyze`: a balanced stream function -> its `Design`.
- `project`: the project files (top.cpp/top.h, tb.cpp, run_hls.tcl,
  Makefile, CMakeLists.txt, csim.json) over the `hls_runtime/` headers.
"""

from __future__ import annotations

import argparse

from ...diagnostics import CompileError, Diagnostic, location_of
from ...target import DEFAULT_CLOCK_NS, DEFAULT_PART
from .analyze import analyze, torch_shape
from .design import Design, EmitError, Fifo, Port, Process
from .precision import Precision
from .project import CXXFLAGS, ap_types_dir, runtime_include_dir, write_project, write_project_atomically

__all__ = ["CXXFLAGS", "Design", "EmitError", "Fifo", "Port", "Precision", "Process", "add_arguments", "analyze",
           "ap_types_dir", "emit", "emit_project", "runtime_include_dir", "torch_shape", "write_project",
           "write_project_atomically"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `inrarch-translate --emit-hls`."""
    parser.add_argument("--precision", default="float", metavar="P",
                        help="element type: 'float' (default) or 'fixed<W,I>' (ap_fixed; needs "
                             "stream.max_abs range annotations, written by inrarch compile)")
    parser.add_argument("--part", default=DEFAULT_PART, help=f"FPGA part for run_hls.tcl (default {DEFAULT_PART})")
    parser.add_argument("--clock", type=float, default=DEFAULT_CLOCK_NS, metavar="NS",
                        help=f"clock period in ns for run_hls.tcl (default {DEFAULT_CLOCK_NS}, 300 MHz)")


def _diagnostic(e: EmitError, filename: str) -> CompileError:
    file, line, col = location_of(e.op.location, filename) if e.op is not None else (filename, 0, 0)
    return CompileError([Diagnostic("error", f"--emit-hls: {e}", file, line, col)])


def emit_project(module, outdir, *, precision: str | Precision = "float", part: str = DEFAULT_PART,
                 clock: float = DEFAULT_CLOCK_NS, filename: str = "-") -> Design:
    """Analyzes `module` and writes the HLS project; returns the `Design`.

    Raises `CompileError` (located diagnostics) for unsupported input."""
    try:
        d = analyze(module, precision)
    except EmitError as e:
        raise _diagnostic(e, filename) from None
    d.source = filename
    write_project(d, outdir, part=part, clock=clock)
    return d


def emit(module, outdir, args) -> None:
    """`inrarch-translate --emit-hls` entry point."""
    filename = getattr(args, "input", "-")
    try:
        prec = Precision.parse(getattr(args, "precision", "float") or "float")
    except ValueError as e:
        raise CompileError([Diagnostic("error", str(e), filename)]) from None
    try:
        d = analyze(module, prec)
    except EmitError as e:
        raise _diagnostic(e, filename) from None
    d.source = filename
    write_project_atomically(d, outdir, part=getattr(args, "part", DEFAULT_PART),
                             clock=getattr(args, "clock", DEFAULT_CLOCK_NS), filename=filename)
