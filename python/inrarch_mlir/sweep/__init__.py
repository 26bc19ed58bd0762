"""Design-space sweeps (`inrarch sweep`): a grid of compiles, on a local process pool or a Dask cluster.

- `points`: `Point` (one design), `Task` (a point with its directory), the grid and its lists.
- `runner`: `run_task`, what a worker runs for a point: compile, optional csim, one flat row.
- `executors`: the local process pool and the Dask client.
- `results`: DIR/results.csv (resumable).
- `pareto`: Pareto fronts and the plots.
- `driver`: `run_sweep(points, outdir, ...)`, the whole sweep.
"""

from __future__ import annotations

from .driver import RESULTS_CSV, SweepSummary, run_sweep
from .pareto import pareto_front
from .points import CSIM_MODES, Point, SweepError, Task, grid
from .runner import run_task

__all__ = ["CSIM_MODES", "Point", "RESULTS_CSV", "SweepError", "SweepSummary", "Task", "grid", "pareto_front",
           "run_sweep", "run_task"]
