"""`inrarch sweep`: the grid, results.csv and resuming, failures recorded, the local pool and a real Dask cluster.

The sweeps compile a one-layer SIREN of width 8 (about 4 s a point); the
figures in results.csv are checked against each point's own report.json,
which the compile wrote without the sweep's flattening.
"""

from __future__ import annotations

import csv
import json
import os
import random
from pathlib import Path

import pytest

from inrarch_mlir.cli.main import main
from inrarch_mlir.sweep import pareto_front
from inrarch_mlir.sweep.points import SweepError, split_list

TINY = "siren:in=2,hidden=8,layers=1,out=1"
#: More DSPs than the U50's 5,952: the compile refuses the point.
TOO_MANY_DSPS = 100_000


def rows_of(outdir: Path) -> list[dict]:
    with (outdir / "results.csv").open(newline="") as f:
        return list(csv.DictReader(f))


def is_png(path: Path) -> bool:
    return path.is_file() and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# -- pure parts --------------------------------------------------------------------------

def test_pareto_front_is_the_set_no_point_dominates():
    rng = random.Random(7)
    for _ in range(200):
        n = rng.randint(1, 12)
        xs = [rng.randint(0, 5) for _ in range(n)]
        ys = [rng.randint(0, 5) for _ in range(n)]
        dominated = {i for i in range(n) for j in range(n)
                     if xs[j] <= xs[i] and ys[j] <= ys[i] and (xs[j] < xs[i] or ys[j] < ys[i])}
        # of identical (x, y) points the front keeps one
        expected = {min(j for j in range(n) if (xs[j], ys[j]) == (xs[i], ys[i])) for i in range(n) if i not in dominated}
        assert set(pareto_front(xs, ys)) == expected


def test_lists_split_at_top_level_commas_only():
    assert split_list("float,fixed<32,10>", "--precisions") == ["float", "fixed<32,10>"]
    assert split_list(" 0, 1,1 ", "--orders") == ["0", "1"]
    with pytest.raises(SweepError, match="--orders: empty list"):
        split_list("", "--orders")


@pytest.mark.parametrize("args, message", [
    (["--orders", ""], "--orders: empty list"),
    (["--orders", "0,x"], "--orders: 'x' is not an integer"),
    (["--precisions", "float,double"], "--precisions: bad precision 'double'"),
    (["--precisions", "fixed<80,10>"], "--precisions: fixed<80,10>: need 2 <= W <= 64"),
    (["--parts", "u51"], "--parts: unknown part 'u51'"),
    (["--fifo-tolerances", "1.5"], "a tolerance must be in [0, 1)"),
    (["--workers", "0"], "--workers must be >= 1"),
])
def test_bad_arguments_are_one_line_usage_errors(tmp_path, capsys, args, message):
    assert main(["sweep", "--model", TINY, "-o", str(tmp_path / "s"), *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("inrarch sweep: error: ") and message in err and err.count("\n") == 1, err
    assert not (tmp_path / "s").exists()


# -- local process pool ------------------------------------------------------------------

def test_local_sweep_records_rows_and_failures_and_resumes(tmp_path, capsys):
    out = tmp_path / "sweep"
    argv = ["sweep", "--model", TINY, "--orders", "0,1", "--dsp-budgets", f"64,{TOO_MANY_DSPS}", "--batches", "8",
            "-o", str(out), "--workers", "2", "-q"]
    assert main(argv) == 0
    rows = rows_of(out)
    assert [(r["order"], r["dsp_budget"]) for r in rows] == [("0", "64"), ("0", str(TOO_MANY_DSPS)),
                                                          ("1", "64"), ("1", str(TOO_MANY_DSPS))]
    for row in rows:
        if row["dsp_budget"] == str(TOO_MANY_DSPS):  # refused, recorded, and the others still ran
            assert row["status"] == "compile_failed" and "5,952 DSPs of u50" in row["error"], row
            continue
        assert row["status"] == "ok" and row["error"] == "", row
        report = json.loads((out / row["point"] / "report.json").read_text())
        for key in ("cycles", "fifo_bits", "fifo_elements", "dsp", "kernels", "bram18k"):
            assert int(row[key]) == report[key], key
        assert int(row["onchip_bytes.total"]) == report["onchip_bytes"]["total"]
        assert float(row["throughput_loss"]) == pytest.approx(report["cycles"] / report["cycles_unbounded"] - 1)
        assert float(row["seconds"]) >= report["compile_seconds"]
    assert int(rows[2]["cycles"]) > int(rows[0]["cycles"])  # order 1 streams three partials, order 0 one
    for name in ("pareto_cycles_dsp.png", "pareto_cycles_onchip.png", "pareto_fifo_bits_loss.png"):
        assert is_png(out / name), name

    first = (out / rows[0]["point"] / "report.json").stat().st_mtime_ns
    capsys.readouterr()
    assert main(argv) == 0  # every point done (ok or failed): nothing runs again
    assert "4 already done, 0 run now" in capsys.readouterr().out
    assert rows_of(out) == rows
    assert main(argv + ["--dry-run"]) == 0
    assert "4 point(s), 4 done" in capsys.readouterr().out
    assert (out / rows[0]["point"] / "report.json").stat().st_mtime_ns == first


def test_a_point_that_kills_its_worker_is_recorded_and_the_others_finish(tmp_path):
    factory = tmp_path / "crash.py"
    factory.write_text("import os\n\ndef factory():\n    os._exit(3)  # the worker dies, as on a segfault\n")
    out = tmp_path / "sweep"
    argv = ["sweep", "--model", f"{factory}:factory", "--model", TINY, "--orders", "0", "--batches", "8",
            "--dsp-budgets", "64", "-o", str(out), "--workers", "2", "-q"]
    assert main(argv) == 0
    crashed, ok = rows_of(out)
    assert crashed["status"] == "crashed" and "worker process died" in crashed["error"]
    assert ok["status"] == "ok" and int(ok["cycles"]) > 0


# -- Dask distributed --------------------------------------------------------------------

def test_sweep_on_a_real_dask_cluster(tmp_path):
    distributed = pytest.importorskip("distributed")
    out = tmp_path / "sweep"
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        worker_pids = set(client.run(os.getpid).values())
        argv = ["sweep", "--model", TINY, "--orders", "0,1", "--batches", "8", "--dsp-budgets", "64", "--csim",
                "-o", str(out), "--scheduler", cluster.scheduler_address, "-q"]
        assert main(argv) == 0
    rows = rows_of(out)
    assert [r["order"] for r in rows] == ["0", "1"]
    for row in rows:
        assert row["status"] == "ok", row
        assert int(row["worker"].rsplit(":", 1)[1]) in worker_pids  # ran on the cluster, not here
        assert row["csim.mode"] == "bounded" and float(row["csim.max_rel_err"]) < 1e-4
        assert int(row["cycles"]) == json.loads((out / row["point"] / "report.json").read_text())["cycles"]
    assert is_png(out / "pareto_cycles_dsp.png")


def test_an_unreachable_scheduler_is_one_error_line(tmp_path, capsys):
    assert main(["sweep", "--model", TINY, "-o", str(tmp_path / "s"), "--scheduler", "nosuchproto://127.0.0.1:1"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("inrarch sweep: error: --scheduler: cannot reach the Dask scheduler") and err.count("\n") == 1
