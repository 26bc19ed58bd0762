"""The compile report: `report.json`, `report.md`, `graph.dot` and the FIFO occupancy plot.

`Report` is what `inrarch_mlir.compile(...)` returns and `inrarch compile`
writes. Figures marked *estimate* come from our models (the timing model and
its cycle simulator, `inrarch_mlir.resources`), not from synthesis.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Optional

#: Notes written into report.json / report.md beside the figures they explain.
NOTES = {
    "cycles": "estimate: cycle simulation of our kernel timing model with the final FIFO depths",
    "cycles_lower_bound": "max(compute bound x batch, slowest kernel's cycles per sample x batch): "
                          "no design with this MAC allocation can be faster",
    "fifo_bits_lower_bound": "sum over FIFOs of one word each (every FIFO needs >= 1 word): a sound but "
                             "loose bound",
    "fifo_bits_lp": "optimum of the balancing LP for a static periodic schedule; NOT a lower bound "
                    "(final depths are often below it)",
    "resources": "estimate from inrarch_mlir.resources (documented per-kernel and per-FIFO model), "
                 "not synthesis",
    "utilization": "the resource estimate over the part's capacity (data sheets cited in inrarch_mlir.target)",
    "macs_per_sample": "multiply-accumulates the emitted matmul loops execute per coordinate sample (K x N for every "
                       "row a matmul streams per sample); mac_slots_per_sample adds the idle slots of padded loop steps",
    "onchip_bytes": "bytes the C++ arrays hold on chip (weights, FIFO words, row buffers, barrier buffers), "
                    "not rounded to memory blocks; 1 MB = 10^6 bytes",
}


@dataclass
class Report:
    model: str
    order: int
    batch: int
    precision: str
    dsp_budget: int
    outdir: str
    kernels: int = 0
    fifos: int = 0
    fifo_elements: int = 0
    fifo_bits: int = 0
    fifo_bits_lower_bound: int = 0
    fifo_bits_lp: Optional[int] = None
    cycles: int = 0
    cycles_unbounded: Optional[int] = None
    cycles_lower_bound: int = 0
    period: Optional[int] = None
    dsp: int = 0
    dsp_allocated: Optional[int] = None
    bram18k: int = 0
    uram: int = 0
    lut: int = 0
    ff: int = 0
    part: str = "u50"
    #: the derivative algorithm used ("taylor" or "reverse") and why, when it fell back
    ad: str = ""
    ad_note: str = ""
    part_string: str = ""
    fits: Optional[bool] = None
    #: resource -> need / capacity on `part`
    utilization: dict = field(default_factory=dict)
    #: kind (weights, fifos, row_buffers, barrier_buffers) -> bytes, and total
    onchip_bytes: dict = field(default_factory=dict)
    #: multiply-accumulates the matmul kernels execute per coordinate sample (K x N per row they stream)
    macs_per_sample: int = 0
    #: the MAC loops' capacity per sample (iterations x MAC units, padding included): >= macs_per_sample
    mac_slots_per_sample: int = 0
    clock_mhz: float = 300.0
    compile_seconds: float = 0.0
    stage_seconds: dict = field(default_factory=dict)
    pass_seconds: dict = field(default_factory=dict)
    kernel_kinds: dict = field(default_factory=dict)
    resources: dict = field(default_factory=dict)
    results: list = field(default_factory=list)
    #: located compiler warnings, e.g. ops that force whole-tensor buffering
    warnings: list = field(default_factory=list)
    files: dict = field(default_factory=dict)
    notes: dict = field(default_factory=lambda: dict(NOTES))

    @property
    def milliseconds(self) -> float:
        """Estimated latency of the batch at `clock_mhz`."""
        return self.cycles / (self.clock_mhz * 1e3)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["milliseconds"] = self.milliseconds
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=1) + "\n"

    def summary_rows(self) -> list[tuple[str, str]]:
        """(figure, value) pairs for the terminal summary and report.md."""
        lp = f"{self.fifo_bits_lp:,}" if self.fifo_bits_lp is not None else "-"
        return [
            ("derivatives", self.ad + (f" ({self.ad_note})" if self.ad_note else "")),
            ("kernels", f"{self.kernels:,}"),
            ("FIFOs", f"{self.fifos:,}"),
            ("FIFO elements (words)", f"{self.fifo_elements:,}"),
            ("MACs per sample (matmul loops)", f"{self.macs_per_sample:,}"),
            ("FIFO bits", f"{self.fifo_bits:,}"),
            ("FIFO bits lower bound", f"{self.fifo_bits_lower_bound:,}"),
            ("FIFO bits, LP (not a bound)", lp),
            ("cycles (estimate)", f"{self.cycles:,}"),
            ("cycles lower bound", f"{self.cycles_lower_bound:,}"),
            (f"latency at {self.clock_mhz:g} MHz (estimate)", f"{self.milliseconds:.3f} ms"),
            ("DSP (estimate) / budget", f"{self.dsp:,} / {self.dsp_budget:,}"),
            ("BRAM18K (estimate)", f"{self.bram18k:,}"),
            ("URAM (estimate)", f"{self.uram:,}"),
            ("LUT (estimate)", f"{self.lut:,}"),
            ("FF (estimate)", f"{self.ff:,}"),
            ("on-chip memory", f"{self.onchip_bytes.get('total', 0) / 1e6:.3f} MB"),
            (f"fits {self.part}", "-" if self.fits is None else ("yes" if self.fits else "NO (emitted with --allow-overfit)")),
            ("compile time", f"{self.compile_seconds:.1f} s"),
        ]

    def to_markdown(self) -> str:
        lines = ["# inrarch compile report", "",
                 f"`{self.model}`, order {self.order}, batch {self.batch}, {self.precision}, "
                 f"DSP budget {self.dsp_budget:,}", "",
                 "| figure | value |", "|---|---|"]
        lines += [f"| {k} | {v} |" for k, v in self.summary_rows()]
        lines += self._utilization_table()
        lines += self._memory_table()
        lines += ["", "## Resources (estimate, `inrarch_mlir.resources`)", "",
                  "| part of the design | DSP | BRAM18K | URAM | LUT | FF |", "|---|---|---|---|---|---|"]
        res = self.resources
        for part in ("kernels", "fifos", "total"):
            r = res.get(part, {})
            lines.append(f"| {part} | {r.get('dsp', 0):,} | {r.get('bram18k', 0):,} | {r.get('uram', 0):,} | "
                         f"{r.get('lut', 0):,} | {r.get('ff', 0):,} |")
        for kind, r in sorted(res.get("by_kind", {}).items()):
            lines.append(f"| kernels: {kind} ({self.kernel_kinds.get(kind, 0)}) | {r['dsp']:,} | {r['bram18k']:,} | "
                         f"{r.get('uram', 0):,} | {r['lut']:,} | {r['ff']:,} |")
        fk = res.get("fifo_kinds", {})
        lines += ["", "FIFOs by implementation: " + ", ".join(f"{k} {v}" for k, v in sorted(fk.items())), "",
                  "## Stage times", "", "| stage | seconds |", "|---|---|"]
        lines += [f"| {k} | {v:.2f} |" for k, v in self.stage_seconds.items()]
        if self.pass_seconds:
            lines += ["", "| pass | seconds |", "|---|---|"]
            lines += [f"| {k} | {v:.2f} |" for k, v in self.pass_seconds.items()]
        if self.warnings:
            lines += ["", "## Warnings", ""] + [f"- `{w}`" for w in self.warnings]
        lines += ["", "## Notes", ""] + [f"- **{k}**: {v}" for k, v in self.notes.items()]
        if self.files:
            lines += ["", "## Files", ""] + [f"- `{v}`: {k}" for k, v in self.files.items()]
        return "\n".join(lines) + "\n"


    def _utilization_table(self) -> list[str]:
        if not self.utilization:
            return []
        from .target import PARTS

        cap = PARTS[self.part].capacity() if self.part in PARTS else {}
        need = {"dsp": self.dsp, "bram18k": self.bram18k, "uram": self.uram, "lut": self.lut, "ff": self.ff}
        verdict = "fits" if self.fits else "does NOT fit"
        lines = ["", f"## Utilization of {self.part} ({self.part_string}): {verdict}", "",
                 "| resource | need (estimate) | part | utilization |", "|---|---|---|---|"]
        for name, label in (("dsp", "DSP"), ("bram18k", "BRAM18K"), ("uram", "URAM"), ("lut", "LUT"), ("ff", "FF")):
            u = self.utilization.get(name, 0.0)
            shown = "n/a" if u == float("inf") else f"{u:.1%}"
            lines.append(f"| {label} | {need[name]:,} | {cap.get(name, 0):,} | {shown} |")
        return lines

    def _memory_table(self) -> list[str]:
        if not self.onchip_bytes:
            return []
        lines = ["", "## On-chip memory (bytes the C++ arrays hold)", "", "| kind | bytes | MB |", "|---|---|---|"]
        for k, v in self.onchip_bytes.items():
            lines.append(f"| {k.replace('_', ' ')} | {v:,} | {v / 1e6:.3f} |")
        return lines


def _dot_id(name: str) -> str:
    return '"' + name.replace('"', r'\"') + '"'


def graph_dot(graph, kernel_ops: dict) -> str:
    """Graphviz text: kernels as nodes (kind, name, MACs), FIFOs as edges labelled with their depth."""
    from .dialects import stream as S

    colors = {"matmul": "lightblue", "map": "palegreen", "fork": "lightgray", "load": "khaki",
              "store": "khaki", "reduce": "salmon", "broadcast": "plum"}
    out = ["digraph design {", "  rankdir=TB;", '  node [shape=box, style=filled, fontname="Helvetica"];']
    for k in graph.kernels:
        op = kernel_ops.get(k.name)
        label = f"{k.kind}\\n{k.name}"
        if op is not None and op.name == "stream.matmul":
            label += f"\\nmacs={S.int_attr(op, 'macs', 1)}"
        out.append(f"  {_dot_id(k.name)} [label=\"{label}\", fillcolor={colors.get(k.kind, 'white')}];")
    for e in graph.edges:
        depth = e.depth if e.depth is not None else "inf"
        out.append(f"  {_dot_id(e.src)} -> {_dot_id(e.dst)} [label=\"{depth}\"];")
    out.append("}")
    return "\n".join(out) + "\n"


def write_dot(path: Path, text: str) -> Optional[Path]:
    """Writes graph.dot; also graph.svg when Graphviz's `dot` is installed (returns its path)."""
    path.write_text(text)
    dot = shutil.which("dot")
    if not dot:
        return None
    svg = path.with_suffix(".svg")
    try:
        subprocess.run([dot, "-Tsvg", str(path), "-o", str(svg)], check=True, capture_output=True, timeout=120)
    except (subprocess.SubprocessError, OSError):
        return None
    return svg


def occupancy_plot(sim, path: Path, top: int = 10, title: str = "") -> bool:
    """PNG of the occupancy over time of the `top` FIFOs by peak occupancy; False without matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    names = sim.edge_names
    order = sorted(range(len(names)), key=lambda i: -sim.peak_occupancy.get(names[i], 0))[:top]
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for i in order:
        ax.plot(sim.trace_times, sim.trace[:, i], label=f"{names[i]} (peak {sim.peak_occupancy[names[i]]})",
                lw=1.2)
    ax.set_xlabel("cycle (simulated, estimate)")
    ax.set_ylabel("words in FIFO")
    ax.set_title(title or f"FIFO occupancy, top {len(order)} FIFOs by peak")
    if order:
        ax.legend(fontsize=6, loc="upper right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True
