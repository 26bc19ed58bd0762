"""A whole sweep: the points not yet done, run on an executor, rows into results.csv, then the plots."""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional, Sequence

from .executors import connect, run_dask, run_local
from .pareto import plot
from .points import Point, Task
from .results import ResultsTable
from .runner import OK

RESULTS_CSV = "results.csv"


@dataclass
class SweepSummary:
    """What a run of a sweep did."""

    points: int  # in the grid
    skipped: int  # already in results.csv
    statuses: Counter = field(default_factory=Counter)  # of the points run now
    plots: list = field(default_factory=list)
    results: Optional[Path] = None

    @property
    def ran(self) -> int:
        return sum(self.statuses.values())

    @property
    def failed(self) -> int:
        return self.ran - self.statuses.get(OK, 0)


def tasks_to_run(points: Sequence[Point], outdir: Path, table: ResultsTable, csim: Optional[str] = None,
                 csim_timeout: float = 600.0, retry_failed: bool = False) -> list[Task]:
    """The tasks of the points without a row (or, with `retry_failed`, without an ok row)."""
    def done(p: Point) -> bool:
        row = table.rows.get(p.id)
        return row is not None and (row.get("status") == OK or not retry_failed)

    return [Task(p, str(Path(outdir) / p.id), csim, csim_timeout) for p in points if not done(p)]


def run_sweep(points: Sequence[Point], outdir, *, workers: Optional[int] = None, scheduler: Optional[str] = None,
              csim: Optional[str] = None, csim_timeout: float = 600.0, retry_failed: bool = False,
              on_start: Callable[[int], None] = lambda n: None,
              on_row: Callable[[Task, dict], None] = lambda task, row: None) -> SweepSummary:
    """Runs every point of `points` that outdir/results.csv does not hold yet; returns the summary.

    - workers: local pool size (default os.cpu_count()); ignored with `scheduler`.
    - scheduler: a Dask scheduler address (`tcp://host:8786`): the points run on its workers, which must
      see `outdir` (a shared file system) for the projects to land there; results.csv is written here.
    - csim: run `inrarch csim` on each compiled point ("unbounded", "bounded" or "timed").
    - on_start(n) is told how many points will run; on_row(task, row) hears of each as it finishes.
    The local pool spawns its workers, which import the caller's main module: call this under
    `if __name__ == "__main__":` in a script. Raises SweepError when the scheduler cannot be reached."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    table = ResultsTable(outdir / RESULTS_CSV)
    todo = tasks_to_run(points, outdir, table, csim, csim_timeout, retry_failed)
    summary = SweepSummary(points=len(points), skipped=len(points) - len(todo), results=table.path)
    (outdir / "sweep.json").write_text(json.dumps({"csim": csim, "points": [p.key() | {"id": p.id} for p in points]},
                                                  indent=1) + "\n")
    client = connect(scheduler) if scheduler and todo else None  # unreachable: say so before anything runs
    on_start(len(todo))
    if client is not None:
        try:
            _collect(run_dask(todo, client), table, summary, on_row)
        finally:
            client.close()
    elif todo:
        _collect(run_local(todo, workers or os.cpu_count() or 1), table, summary, on_row)
    table.reorder([p.id for p in points])
    table.write()  # also when nothing ran: the file exists
    summary.plots = plot(list(table.rows.values()), outdir)
    return summary


def _collect(finished, table: ResultsTable, summary: SweepSummary, on_row) -> None:
    for task, row in finished:
        table.add(row)
        summary.statuses[row["status"]] += 1
        on_row(task, row)
