"""Pareto fronts of a sweep and their plots (matplotlib, written beside results.csv).

Designs are compared only with designs that compute the same thing: a front
is drawn per (model, order, batch) group, among the points that compiled.
Both axes of every plot are costs, so the front is the set of points no
other point beats on both (lower or equal on each, lower on one).
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

#: The plots: file name -> (x column, y column, x label, y label).
PLOTS = {
    "pareto_cycles_dsp.png": ("dsp", "cycles", "DSPs (estimate)", "cycles (timing model)"),
    "pareto_cycles_onchip.png": ("onchip_mb", "cycles", "on-chip memory (MB)", "cycles (timing model)"),
    "pareto_fifo_bits_loss.png": ("throughput_loss", "fifo_bits", "throughput loss (cycles / unbounded - 1)",
                                  "FIFO bits"),
}


def pareto_front(xs: Sequence[float], ys: Sequence[float]) -> list[int]:
    """Indices of the points not dominated when minimizing both x and y, by increasing x.

    Of points with equal (x, y) the first one is kept."""
    order = sorted(range(len(xs)), key=lambda i: (xs[i], ys[i], i))
    front, best_y = [], float("inf")
    for i in order:
        if ys[i] < best_y:
            front.append(i)
            best_y = ys[i]
    return front


def _number(value):
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def groups(rows: Sequence[dict], x: str, y: str) -> dict[str, list[dict]]:
    """The ok rows with numeric x and y, by `model o<order> b<batch>`."""
    out: dict[str, list[dict]] = {}
    for row in rows:
        if row.get("status") == "ok" and _number(row.get(x)) is not None and _number(row.get(y)) is not None:
            out.setdefault(f"{row['model']} o{row['order']} b{row['batch']}", []).append(row)
    return out


def plot(rows: Sequence[dict], outdir: Path) -> list[Path]:
    """Writes every plot of PLOTS that has data into `outdir`; returns the files written."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []
    for name, (x, y, xlabel, ylabel) in PLOTS.items():
        by_group = groups(rows, x, y)
        if not by_group:
            continue
        fig, ax = plt.subplots(figsize=(6.4, 4.4), dpi=100)
        for n, (label, members) in enumerate(sorted(by_group.items())):
            color = f"C{n % 10}"
            xs, ys = [r[x] for r in members], [r[y] for r in members]
            ax.scatter(xs, ys, s=22, color=color, alpha=0.45, label=label)
            front = pareto_front(xs, ys)
            fx, fy = [xs[i] for i in front], [ys[i] for i in front]
            ax.step(fx, fy, where="post", color=color, linewidth=1.2)
            ax.scatter(fx, fy, s=46, color=color, edgecolors="black", linewidths=0.9, zorder=3)
        ys_all = [r[y] for m in by_group.values() for r in m]
        if min(ys_all) > 0 and max(ys_all) / min(ys_all) > 20:
            ax.set_yscale("log")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_title(f"{ylabel.split(' (')[0]} vs {xlabel.split(' (')[0]}: Pareto front outlined", fontsize=10)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=7, loc="best")
        fig.tight_layout()
        path = Path(outdir) / name
        fig.savefig(path)
        plt.close(fig)
        written.append(path)
    return written
