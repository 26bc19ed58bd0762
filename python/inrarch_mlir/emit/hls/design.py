"""The design model an HLS project is printed from: ports, FIFOs, processes."""

from __future__ import annotations

from dataclasses import dataclass, field

from ...kernels.base import CppCall
from .precision import Precision


@dataclass
class Port:
    name: str  # source name (argument or result name)
    cname: str  # C identifier of the top-level argument
    size: int
    shape: tuple
    arg_index: int = -1  # function argument (inputs)
    scale: int = 0  # fixed point: stored = true * 2^-scale
    order: int = 0  # outputs: derivative order
    per_sample: bool = False  # one row per sample (the coordinates, the outputs of a tileable design)

    def row(self, batch: int) -> int:
        """Elements per sample of a per-sample port."""
        return self.size // batch


@dataclass
class Fifo:
    cname: str
    depth: int
    lanes: int
    edge: str  # the dataflow edge name ("src.outK->dst.inK")


@dataclass
class Process:
    """One dataflow process: a kernel call with its named config struct."""

    name: str
    call: CppCall
    kind: str

    @property
    def config_name(self) -> str:
        return f"{self.name}_cfg"

    @property
    def config(self) -> str:
        return self.call.struct(self.config_name)

    @property
    def text(self) -> str:
        return self.call.text(self.config_name)


@dataclass
class Design:
    """Everything the project files are printed from."""

    precision: Precision
    batch: int
    inputs: list[Port] = field(default_factory=list)
    outputs: list[Port] = field(default_factory=list)
    consts: list[tuple[str, list[float]]] = field(default_factory=list)
    fifos: list[Fifo] = field(default_factory=list)
    processes: list[Process] = field(default_factory=list)
    functors: list[str] = field(default_factory=list)
    counters: list[str] = field(default_factory=list)  # fixed: overflow counter names
    scales: dict = field(default_factory=dict)  # fixed: channel/buffer name -> scale exponent
    source: str = ""
    #: samples interact (barrier kernels): the top runs whole batches only (n = batch)
    coupled: bool = False

    @property
    def coords(self) -> Port | None:
        """The coordinate port (function argument 0), when it holds one row per sample."""
        return next((p for p in self.inputs if p.arg_index == 0 and p.per_sample), None)

    @property
    def batch_rows(self) -> bool:
        """Whether the coordinates and every output hold one row per sample (tiles of the batch work)."""
        return self.coords is not None and all(p.per_sample for p in self.outputs)

    @property
    def tileable(self) -> bool:
        """Whether the top takes any sample count 1 <= n <= batch (else whole batches only)."""
        return self.batch_rows and not self.coupled

    def summary(self) -> dict:
        return {"precision": str(self.precision), "batch": self.batch, "tileable": self.tileable,
                "processes": len(self.processes),
                "fifos": len(self.fifos), "fifo_words": sum(f.depth for f in self.fifos),
                "inputs": [p.cname for p in self.inputs], "outputs": [p.cname for p in self.outputs],
                "output_scales": {p.cname: p.scale for p in self.outputs}, "scales": self.scales}


class EmitError(ValueError):
    """A construct the emitter cannot translate; `op` locates it."""

    def __init__(self, message: str, op=None):
        super().__init__(message)
        self.op = op
