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

    def summary(self) -> dict:
        return {"precision": str(self.precision), "batch": self.batch, "processes": len(self.processes),
                "fifos": len(self.fifos), "fifo_words": sum(f.depth for f in self.fifos),
                "inputs": [p.cname for p in self.inputs], "outputs": [p.cname for p in self.outputs],
                "output_scales": {p.cname: p.scale for p in self.outputs}, "scales": self.scales}


class EmitError(ValueError):
    """A construct the emitter cannot translate; `op` locates it."""

    def __init__(self, message: str, op=None):
        super().__init__(message)
        self.op = op
