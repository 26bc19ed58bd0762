"""The report stage: a compile's figures, resource estimate and pictures.

Reads what the earlier stages left on a `Compilation` (the balanced module,
its simulation, the emitted design) and writes report.json, report.md,
graph.dot (graph.svg with Graphviz) and the FIFO occupancy plot and trace.
"""

from __future__ import annotations

import json
import time
from fractions import Fraction
from pathlib import Path

from ..dialects import stream as S
from ..dialects.walk import int_attrs
from ..report import graph_dot, occupancy_plot, write_dot
from ..dataflow.loops import matmul_compute_cycles
from ..kernels.base import target_of
from ..resources import estimate, onchip_bytes, utilization, word_bits


def mac_counts(func_op, batch: int) -> tuple[int, int]:
    """(MACs, MAC-loop slots) the matmul kernels execute per coordinate sample,
    counted from their loops: K x N, and iterations x MAC units, per row a
    matmul streams (a Taylor-mode jet streams T rows per sample)."""
    macs = slots = Fraction(0)
    for op in (o.operation for o in func_op.regions[0].blocks[0].operations):
        if op.name != "stream.matmul":
            continue
        x, y = S.channel_info(op.operands[0].type), S.channel_info(op.results[0].type)
        k, n, units = x.shape[1], y.shape[1], S.int_attr(op, "macs", 1)
        rows = Fraction(x.batch, batch)  # 1/R for a layer shared by R samples: summed exactly, rounded once
        macs += k * n * rows
        slots += matmul_compute_cycles(k, n, y.lanes, units, target_of(op).add_latency) * units * rows
    return round(macs), round(slots)


def write_report(c, tmp: Path, out: Path):
    """Fills a `Report` from compilation `c` and writes its files into `tmp` (renamed to `out` later)."""
    o, sim, sg = c.options, c.sim, c.graph
    report = c.new_report(out)
    graph = sg.graph
    with c.module.context:
        attrs = int_attrs(c.func)
        lanes = {name: S.channel_info(site[0].results[site[1]].type).lanes for name, site in sg.edge_sites.items()}
        est = estimate(c.func, graph, o.family, o.element_bits)
        memory = onchip_bytes(c.func, graph, o.element_bits)
        dot_text = graph_dot(graph, sg.kernel_ops)
    macs, slots = mac_counts(c.func, o.batch)
    kinds: dict = {}
    for k in graph.kernels:
        kinds[k.kind] = kinds.get(k.kind, 0) + 1
    edges = graph.edges
    report.kernels = len(graph.kernels)
    report.fifos = len(edges)
    report.fifo_elements = sum((e.depth or 0) * lanes[e.name] for e in edges)
    report.fifo_bits = sum((e.depth or 0) * word_bits(e, o.element_bits) for e in edges)
    report.fifo_bits_lower_bound = sum(word_bits(e, o.element_bits) for e in edges)
    lp = attrs.get("fifo_bits_lp")
    if lp is not None and o.element_bits is not None:
        lp = round(lp * o.element_bits / 32)
    report.fifo_bits_lp = lp
    report.cycles = attrs.get("cycles", sim.total_cycles)
    report.cycles_unbounded = attrs.get("cycles_unbounded")
    compute = attrs.get("compute_bound", 0) * o.batch
    slowest = max((k.total_cycles for k in graph.kernels), default=0)
    report.cycles_lower_bound = max(compute, slowest)
    report.period = attrs.get("period")
    report.dsp_allocated = attrs.get("dsp")
    report.dsp, report.bram18k = est.total.dsp, est.total.bram18k
    report.lut, report.ff = est.total.lut, est.total.ff
    report.uram = est.total.uram
    report.part_string = o.part.part
    report.utilization = {k: round(v, 4) if v != float("inf") else None
                          for k, v in utilization(est.total, o.part).items()}
    report.fits = all(u is not None and u <= 1.0 for u in report.utilization.values())
    report.onchip_bytes = memory
    report.resources = est.to_dict()
    report.kernel_kinds = kinds
    report.macs_per_sample, report.mac_slots_per_sample = macs, slots
    report.results = [r.name for r in c.imported.layout.results]
    report.ad, report.ad_note = c.imported.ad, c.imported.ad_note
    report.warnings = list(c.warnings)
    report.pass_seconds = {k: round(v, 3) for k, v in c.pass_seconds.items()}
    report.notes["simulated_cycles"] = (f"the report's own re-simulation gives {sim.total_cycles:,} cycles "
                                        f"({sim.solver})")

    svg = write_dot(tmp / "graph.dot", dot_text)
    files = {"report (JSON)": "report.json", "report (Markdown)": "report.md",
             "kernels and FIFOs (Graphviz)": "graph.dot"}
    if svg:
        files["graph (SVG)"] = "graph.svg"
    if occupancy_plot(sim, tmp / "fifo_occupancy.png",
                      title=f"FIFO occupancy (top 10 by peak), {o.model_name}, order {o.order}, batch {o.batch}"):
        files["FIFO occupancy over time (simulated)"] = "fifo_occupancy.png"
    (tmp / "fifo_occupancy.json").write_text(json.dumps({
        "times": sim.trace_times.tolist(), "peak": sim.peak_occupancy,
        "occupancy": {n: sim.trace[:, i].tolist() for i, n in enumerate(sim.edge_names)}}) + "\n")
    files["FIFO occupancy trace (JSON)"] = "fifo_occupancy.json"
    files["HLS project (open hls/run_hls.tcl in Vitis HLS)"] = "hls/"
    files["testbench data"] = "hls/data/"
    report.files = files
    c.timer.stop()
    report.stage_seconds = c.timer.rounded()
    report.compile_seconds = round(time.perf_counter() - c.started, 3)
    (tmp / "report.json").write_text(report.to_json())
    (tmp / "report.md").write_text(report.to_markdown())
    return report
