"""Runs one sweep point on whatever process it lands on: compile, optional C simulation, one flat row.

`run_task` is a plain top-level function of a picklable `Task`, so the local
process pool and a Dask worker run exactly the same code. It never raises:
every failure becomes a row with a `status` and a one-line `error`, so one
bad point cannot stop a sweep. Only the death of the process itself (a
segfault, the OOM killer) escapes it, and the executors record that.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

from .points import CSIM_MODES, Task

#: report.json keys that are prose or paths, not figures of the design.
NOT_FIGURES = ("notes", "files", "outdir")
#: Row statuses. Every status counts as done when a sweep resumes.
OK, COMPILE_FAILED, CSIM_FAILED, ERROR, CRASHED = "ok", "compile_failed", "csim_failed", "error", "crashed"


def flatten(data: dict, prefix: str = "") -> dict:
    """Nested dicts as dotted keys (`onchip_bytes.total`); lists as JSON text."""
    out = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, name + "."))
        elif isinstance(value, (list, tuple)):
            out[name] = json.dumps(value)
        else:
            out[name] = value
    return out


def one_line(text: str, limit: int = 400) -> str:
    """The first non-empty line of an error, shortened: a CSV cell, not a log."""
    line = next((ln.strip() for ln in str(text).splitlines() if ln.strip()), "")
    return line if len(line) <= limit else line[: limit - 3] + "..."


def compile_error(message) -> str:
    """A CompileFailed message as one line, without the location of the in-memory module (`-:2:3:`)."""
    return re.sub(r"^(-|<stdin>):\d+(:\d+)?: (error: )?", "", one_line(message))


def failed_row(task: Task, status: str, error: str, seconds: float = 0.0) -> dict:
    """The row of a point that produced no design."""
    return {"point": task.point.id, **task.point.key(), "status": status, "error": one_line(error),
            "seconds": round(seconds, 3), "worker": ""}


def report_columns(report: dict, key: dict) -> dict:
    """report.json as columns: figures flattened, the point's own parameters not repeated.

    A report value that differs from the point's parameter of the same name
    (`ad`: the requested default against the algorithm used) is kept as `report.<name>`."""
    out = {}
    for name, value in flatten({k: v for k, v in report.items() if k not in NOT_FIGURES}).items():
        if name in key:
            if value != key[name]:
                out[f"report.{name}"] = value
            continue
        out[name] = value
    cycles, unbounded = report.get("cycles"), report.get("cycles_unbounded")
    if isinstance(cycles, (int, float)) and isinstance(unbounded, (int, float)) and unbounded > 0:
        # what the FIFO tolerance traded: cycles lost to bounded FIFOs
        out["throughput_loss"] = round(cycles / unbounded - 1.0, 9)
    total = report.get("onchip_bytes", {}).get("total") if isinstance(report.get("onchip_bytes"), dict) else None
    if isinstance(total, (int, float)):
        out["onchip_mb"] = total / 1e6
    return out


def run_csim(task: Task) -> tuple[dict, str]:
    """`inrarch csim` on the point's project in a child process: (csim.* columns, error or '')."""
    result = Path(task.outdir) / "csim_result.json"
    result.unlink(missing_ok=True)
    cmd = [sys.executable, "-m", "inrarch_mlir.cli.main", "csim", task.outdir, *CSIM_MODES[task.csim],
           "--json", str(result), "--timeout", f"{task.csim_timeout:g}"]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=task.csim_timeout + 300)
    except subprocess.TimeoutExpired:
        return {"csim.mode": task.csim}, f"inrarch csim: ran longer than {task.csim_timeout + 300:g} s"
    (Path(task.outdir) / "csim.log").write_text(proc.stdout + proc.stderr)
    cols = {"csim.mode": task.csim}
    if result.is_file():
        data = json.loads(result.read_text())
        cols.update({f"csim.{k}": v for k, v in flatten(data).items()
                     if k not in ("outputs", "overflows", "mode", "cycles_model_source")})
    if proc.returncode == 0:
        return cols, ""
    errors = [ln for ln in proc.stderr.splitlines() if "error:" in ln]
    return cols, one_line(errors[-1] if errors else f"inrarch csim exited with status {proc.returncode}")


def run_task(task: Task) -> dict:
    """Compiles the point into `task.outdir` (and simulates it with `task.csim`); returns its results.csv row."""
    started = time.perf_counter()
    point = task.point
    row = {"point": point.id, **point.key(), "status": OK, "error": "", "seconds": 0.0,
           "worker": f"{socket.gethostname()}:{os.getpid()}"}
    try:
        import torch

        torch.set_num_threads(1)  # parallelism is across points; threads would fight over the cores
        from ..compiler import CompileFailed, compile

        try:
            compile(point.model, point.order, point.batch, outdir=task.outdir, precision=point.precision,
                    dsp_budget=point.dsp_budget, part=point.part, fifo_tolerance=point.fifo_tolerance, ad=point.ad,
                    seed=point.seed, overwrite=True)
        except CompileFailed as e:
            row.update(status=COMPILE_FAILED, error=compile_error(e))
        else:
            row.update(report_columns(json.loads((Path(task.outdir) / "report.json").read_text()), point.key()))
            if task.csim:
                cols, error = run_csim(task)
                row.update(cols)
                if error:
                    row.update(status=CSIM_FAILED, error=error)
    except Exception as e:  # a bug, not the user's input: still a row, never a stopped sweep
        row.update(status=ERROR, error=one_line(f"internal error: {type(e).__name__}: {e}"))
    row["seconds"] = round(time.perf_counter() - started, 3)
    return row
