"""`inrarch csim OUTDIR [--bounded [--timed]] [--tolerance T]`.

Builds the emitted HLS project's testbench with g++ (unbounded FIFOs, or
`--bounded`: one thread per process, every FIFO exactly its depth), runs it
on the project's data, and compares the outputs with the PyTorch reference:
prints `max_abs_err=` / `max_rel_err=` (rel = error / max |reference| per
output) and exits 1 over the tolerance, on a fixed-point overflow, or on a
deadlock (the FIFOs involved are printed).

`--timed` (bounded) builds with `-DINRARCH_TIMED`: every FIFO access of every
process is stamped with its nominal cycle and the stalls are resolved after
the run by the FIFO rules of the timing model (`hls_runtime/README.md`,
"Timed simulation"). It prints `cycles_csim=N cycles_model=M`, M being the
timing model's simulated cycles of the same design: report.json `cycles`
when OUTDIR is (or holds) a compile's output, else a simulation of the
project's design.mlir, else `none`, with the source named.

`--coords FILE.npy` ([N, in_features], any N) runs the design over those
coordinates in tiles of its batch, one call of the top per tile, with a
progress bar (`emit.tiles`); writes the outputs to DIR/csim_outputs.npy
([N, columns], float32; the columns named in the .json beside it) or
`--out`, and compares them with the PyTorch float64 reference recomputed
from the model the compile saved (`--no-reference` skips that).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from ..numeric.compare import F32_FACTOR

TOOL = "inrarch csim"
DEFAULT_TOLERANCE = {"float": 1e-4, "fixed": 1e-3}


def _first_error(log) -> str:
    """The compiler's first `error:` line of a build log (its first line is the g++ command, which says -Werror)."""
    lines = log.read_text(errors="replace").splitlines()[1:]
    first = next((ln for ln in lines if "error:" in ln), next((ln for ln in lines if "error" in ln), "compilation failed"))
    return first.strip()[:300]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("outdir", metavar="OUTDIR", help="an HLS project written by inrarch-translate --emit-hls / "
                        "inrarch compile (the directory holding csim.json), or its parent")
    parser.add_argument("--bounded", action="store_true",
                        help="threaded simulation with every FIFO bounded to its depth (detects deadlocks)")
    parser.add_argument("--timed", action="store_true",
                        help="with --bounded: stamp every FIFO access with its cycle and print cycles_csim= (the "
                             "C++'s cycles) beside cycles_model= (the timing model's)")
    parser.add_argument("--tolerance", type=float, default=None,
                        help="max_rel_err accepted (default 1e-4 for float, 1e-3 for fixed point, or "
                             f"{F32_FACTOR:g}x PyTorch's own "
                             "float32 error when that is larger; an explicit tolerance is applied alone)")
    parser.add_argument("-O", dest="opt", default="1", metavar="LEVEL", help="g++ optimization level (default 1)")
    parser.add_argument("--timeout", type=float, default=600, metavar="S", help="run time limit in seconds")
    parser.add_argument("--rebuild", action="store_true", help="rebuild even if the binary is up to date")
    parser.add_argument("--json", default=None, metavar="FILE", help="also write the result as JSON")
    parser.add_argument("--coords", default=None, metavar="FILE.npy",
                        help="run these coordinates ([N, in_features] .npy, any N) in tiles of the design batch")
    parser.add_argument("--out", default=None, metavar="FILE.npy",
                        help="with --coords: where the outputs go (default OUTDIR/csim_outputs.npy)")
    parser.add_argument("--no-reference", action="store_true",
                        help="with --coords: skip the PyTorch reference and the comparison (huge inputs)")


def _err(msg: str) -> int:
    sys.stderr.write(f"{TOOL}: error: {msg}\n")
    return 1


def _project_dir(path: str) -> Path | None:
    p = Path(path)
    for c in (p, p / "hls"):
        if (c / "csim.json").is_file():
            return c
    return None


#: csim.json keys the build and the comparison need.
REQUIRED_KEYS = ("sources", "cxxflags", "includes", "outputs")


def _read_config(path: Path) -> dict | str:
    """csim.json as a dict, or a one-line located error for a corrupt one."""
    data = path.read_bytes()
    try:
        cfg = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as e:
        return f"{path}: error: not valid UTF-8 (byte 0x{data[e.start]:02x} at offset {e.start}); re-emit the project"
    except json.JSONDecodeError as e:
        return f"{path}:{e.lineno}:{e.colno}: error: invalid JSON: {e.msg}; re-emit the project"
    if not isinstance(cfg, dict):
        return f"{path}: error: expected a JSON object, got {type(cfg).__name__}; re-emit the project"
    missing = [k for k in REQUIRED_KEYS if k not in cfg]
    if missing:
        return f"{path}: error: missing key(s) {', '.join(missing)}; re-emit the project"
    return cfg


#: Flags of the timed build (older projects' csim.json has no `timed_flags`).
TIMED_FLAGS = ["-DINRARCH_BOUNDED_FIFO", "-DINRARCH_TIMED"]


def build(proj: Path, cfg: dict, bounded: bool, opt: str, rebuild: bool = False,
          timed: bool = False) -> tuple[Path, Path, bool]:
    """Compiles the testbench; returns (binary, log, ok)."""
    kind = "csim_timed" if timed else "csim_bounded" if bounded else "csim"
    exe = proj / kind
    log = proj / f"{kind}_build.log"
    sources = [proj / s for s in cfg["sources"]] + [proj / "top.h"]
    if not rebuild and exe.exists() and all(exe.stat().st_mtime >= s.stat().st_mtime for s in sources if s.exists()):
        return exe, log, True
    flags = [f for f in cfg["cxxflags"] if not f.startswith("-O")] + [f"-O{opt}"]
    cmd = [os.environ.get("CXX", cfg.get("cxx", "g++")), *flags]
    if cfg.get("ap_types"):
        cmd += ["-isystem", cfg["ap_types"]]
    cmd += [f"-I{proj / i}" for i in cfg["includes"]]
    if timed:
        cmd += [f for f in cfg.get("timed_flags", TIMED_FLAGS) if f != "-pthread"]
    elif bounded:
        cmd += ["-DINRARCH_BOUNDED_FIFO"]
    cmd += [str(proj / s) for s in cfg["sources"]] + ["-o", str(exe)]
    if bounded or timed:
        cmd += ["-pthread"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    log.write_text(" ".join(cmd) + "\n" + proc.stdout + proc.stderr)
    return exe, log, proc.returncode == 0


def model_cycles(proj: Path, given: Path) -> tuple[int | None, str]:
    """The timing model's cycles of the project's design, and where they come from."""
    for rep in (given / "report.json", proj.parent / "report.json", proj / "report.json"):
        if rep.is_file():
            try:
                return int(json.loads(rep.read_text())["cycles"]), str(rep)
            except (ValueError, KeyError, TypeError):
                continue
    mlir = proj / "design.mlir"
    if mlir.is_file():
        from ..context import make_context
        from ..dataflow import simulate
        from ..diagnostics import parse_module
        from ..dialects.stream_graph import extract
        from ..dialects.walk import funcs

        module = parse_module(mlir.read_text(), make_context(), str(mlir))
        with module.context:
            graph = extract(next(iter(funcs(module)))).graph
        return simulate(graph, trace_points=0).total_cycles, f"{mlir} (simulated now: no report.json)"
    return None, "none: no report.json and no design.mlir"


def _data_samples(proj: Path) -> tuple[int | None, int | None]:
    """(samples in the testbench data, design batch) from data/manifest.json (None: an older project)."""
    try:
        m = json.loads((proj / "data" / "manifest.json").read_text())
        return int(m["samples"]), int(m["batch"])
    except (OSError, ValueError, KeyError, TypeError):
        return None, None


def _timed_result(stdout: str, proj: Path, given: Path) -> dict | str:
    """Parses the timed run's `TIMED:` line, prints `cycles_csim= cycles_model=`; a str is an error."""
    import re

    lines = [ln for ln in stdout.splitlines() if ln.startswith("TIMED:")]
    if any("deadlock" in ln for ln in lines):
        for ln in lines:
            print(ln)
        return "the cycle-stamped schedule deadlocks at these FIFO depths (TIMED lines above)"
    m = next((re.search(r"cycles=(\d+) events=(\d+)", ln) for ln in lines if "cycles=" in ln), None)
    if m is None:
        return "the timed simulation printed no 'TIMED: cycles=' line (was it built with -DINRARCH_TIMED?)"
    csim, events = int(m.group(1)), int(m.group(2))
    model, source = model_cycles(proj, given)
    samples, batch = _data_samples(proj)
    if samples is not None and samples != batch:  # the model's figure is for a call with n = batch
        source += f"; not compared: the data holds {samples} of the batch's {batch} samples"
        model_gap = None
    else:
        model_gap = model
    gap = None if model_gap is None else (csim - model_gap) / model_gap if model_gap else 0.0
    print(f"cycles_csim={csim} cycles_model={model if model is not None else 'none'}"
          + (f" gap={gap * 100:+.3f}%" if gap is not None else "") + f" (model: {source}; {events:,} FIFO accesses)")
    if gap is not None and abs(gap) > 0.01:
        sys.stderr.write(f"WARNING: the timed C simulation and the timing model differ by {gap * 100:+.2f}% "
                         f"(more than 1%): a bug in the kernels or in the model; per-process figures in "
                         f"{proj / 'timed.json'}\n")
    return {"cycles_csim": csim, "cycles_model": model, "cycles_model_source": source, "cycles_gap": gap,
            "timed_events": events}


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from ..numeric.compare import F32_FACTOR, accepted, compare

    if not Path(args.outdir).exists():
        return _err(f"'{args.outdir}' does not exist")
    proj = _project_dir(args.outdir)
    if proj is None:
        return _err(f"'{args.outdir}' holds no emitted HLS project (csim.json not found)")
    cfg = _read_config(proj / "csim.json")
    if isinstance(cfg, str):
        sys.stderr.write(cfg + "\n")
        return 1
    prec = cfg.get("design", {}).get("precision", "float")
    tol = args.tolerance if args.tolerance is not None else DEFAULT_TOLERANCE["fixed" if prec.startswith("fixed") else "float"]
    if not tol > 0:
        sys.stderr.write(f"{TOOL}: error: --tolerance must be > 0, got {args.tolerance}\n")
        return 2
    if not (proj / "data" / "manifest.json").is_file():
        return _err(f"{proj / 'data'} has no testbench data; build the project with `inrarch compile` "
                    "(or inrarch_mlir.compiler.Compilation.build_project), which writes it")
    if args.timed and not args.bounded:
        return _err("--timed stamps the bounded simulation: give --bounded too")
    if args.coords is None and (args.out is not None or args.no_reference):
        return _err("--out and --no-reference go with --coords")
    if args.coords is not None:
        if args.timed:
            return _err("--timed measures one call at the design batch; it does not combine with --coords")
        return _run_coords(args, proj, cfg, prec, tol)
    mode = "timed" if args.timed else "bounded" if args.bounded else "unbounded"
    t0 = time.perf_counter()
    exe, log, ok = build(proj, cfg, args.bounded, args.opt, args.rebuild, timed=args.timed)
    t_build = time.perf_counter() - t0
    if not ok:
        return _err(f"g++ failed ({mode} build): {_first_error(log)} (full log: {log})")
    t1 = time.perf_counter()
    env = dict(os.environ)
    if args.timed:
        env["INRARCH_TIMED_OUT"] = str(proj / "timed.json")
    try:
        proc = subprocess.run([str(exe), str(proj / "data"), str(proj)], capture_output=True, text=True,
                              timeout=args.timeout, env=env)
    except subprocess.TimeoutExpired:
        return _err(f"the {mode} simulation ran longer than {args.timeout:g} s")
    t_run = time.perf_counter() - t1
    for line in proc.stdout.splitlines():
        if line.startswith("output ") or line.startswith("OVERFLOW"):
            print(line)
    if proc.returncode == 3 or "DEADLOCK" in proc.stderr:
        sys.stderr.write(proc.stderr)
        rows = [ln.strip() for ln in proc.stderr.splitlines() if ln.strip().startswith("FIFO '")]
        full = [ln.split("'")[1] for ln in rows if "blocked on write" in ln]
        empty = [ln.split("'")[1] for ln in rows if "blocked on read" in ln and "blocked on write" not in ln]
        return _err(f"deadlock in the {mode} simulation: full FIFOs (writer blocked): {', '.join(full) or 'none'}; "
                    f"{len(empty)} empty FIFO(s) with a blocked reader (listed above)")
    if proc.returncode not in (0, 1):
        sys.stderr.write(proc.stderr[-4000:])
        return _err(f"the simulation exited with status {proc.returncode}")
    outs = cfg["outputs"]
    actual, expected = [], []
    for o in outs:
        a = proj / f"actual_{o['cname']}.bin"
        if not a.is_file():
            return _err(f"the simulation wrote no {a.name}")
        actual.append(np.fromfile(a, dtype=np.float64))
        expected.append(np.fromfile(proj / "data" / f"expected_{o['cname']}.bin", dtype=np.float64))
    names, orders = [o["name"] for o in outs], [o["order"] for o in outs]
    res = compare(actual, expected, names, orders)
    f32 = [proj / "data" / f"torch_f32_{o['cname']}.bin" for o in outs]
    torch_f32 = None  # PyTorch's own float32 error against the same reference (compile writes it)
    if all(f.is_file() for f in f32):
        torch_f32 = compare([np.fromfile(f, dtype=np.float64) for f in f32], expected, names, orders)["max_rel_err"]
    overflow = [ln for ln in proc.stdout.splitlines() if ln.startswith("OVERFLOW")]
    shown = f" torch_f32_rel_err={torch_f32:.3e}" if torch_f32 is not None else ""
    print(f"max_abs_err={res['max_abs_err']:.3e} max_rel_err={res['max_rel_err']:.3e}{shown} "
          f"(worst {res['worst']}; {prec}, {mode}, build {t_build:.1f}s, run {t_run:.2f}s)")
    res.update({"precision": prec, "mode": mode, "tolerance": tol, "build_seconds": t_build,
                "run_seconds": t_run, "overflows": overflow, "torch_f32_rel_err": torch_f32})
    if args.timed:
        timed = _timed_result(proc.stdout, proj, Path(args.outdir))
        if isinstance(timed, str):
            return _err(timed)
        res.update(timed)
    if args.json:
        Path(args.json).write_text(json.dumps(res, indent=1) + "\n")
    if proc.stderr.strip():
        warn = [ln for ln in proc.stderr.splitlines() if ln.startswith("WARNING")]
        for ln in warn[:10]:
            sys.stderr.write(ln + "\n")
    if overflow:
        return _err(f"fixed-point overflow in {len(overflow)} place(s) (see OVERFLOW lines); the range analysis "
                    "does not cover these inputs")
    if not accepted(res["max_rel_err"], tol, torch_f32 if args.tolerance is None else None):
        f32_note = f" and {F32_FACTOR:g}x PyTorch's own float32 error ({torch_f32:.3e})" if torch_f32 is not None \
            and args.tolerance is None else ""
        return _err(f"max_rel_err={res['max_rel_err']:.3e} exceeds the tolerance {tol:g}{f32_note} (worst output "
                    f"{res['worst']})")
    return 0


def _run_coords(args: argparse.Namespace, proj: Path, cfg: dict, prec: str, tol: float) -> int:
    """`--coords`: every coordinate through the design in tiles, then the comparison."""
    import numpy as np
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from ..emit.model_record import RecordError
    from ..emit.tiles import TilesError, check_tileable, read_coords, reference, run_tiles
    from ..numeric.compare import accepted, compare

    tiles = cfg.get("tiles")
    if not tiles or not tiles.get("coords"):
        return _err(f"{proj / 'csim.json'} has no tile description (emitted before tiles existed); re-emit the "
                    "project")
    try:
        coords = read_coords(args.coords, tiles["coords"]["row"])
        check_tileable(tiles, len(coords))
    except TilesError as e:
        return _err(str(e))
    mode = "bounded" if args.bounded else "unbounded"
    t0 = time.perf_counter()
    exe, log, ok = build(proj, cfg, args.bounded, args.opt, args.rebuild)
    t_build = time.perf_counter() - t0
    if not ok:
        return _err(f"g++ failed ({mode} build): {_first_error(log)} (full log: {log})")
    outs = cfg["outputs"]
    n, batch = len(coords), tiles["batch"]
    console = Console(stderr=True)
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    t1 = time.perf_counter()
    try:
        with Progress(*columns, console=console, transient=not console.is_terminal) as bar:
            task = bar.add_task(f"csim {n:,} coordinates in tiles of {batch}", total=-(-n // batch))
            got, stdout = run_tiles(exe, proj, coords, outs, tiles, timeout=args.timeout,
                                    on_tile=lambda done, total: bar.update(task, completed=done, total=total))
        t_run = time.perf_counter() - t1
        out = Path(args.out) if args.out else Path(args.outdir) / "csim_outputs.npy"
        names = [f"{o['name']}[{k}]" if got[j].shape[1] > 1 else o["name"]
                 for j, o in enumerate(outs) for k in range(got[j].shape[1])]
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            np.save(out, np.concatenate(got, axis=1))
            out.with_suffix(".json").write_text(json.dumps({"samples": n, "columns": names, "batch": batch,
                                                            "coords": str(args.coords)}, indent=1) + "\n")
        except OSError as e:
            return _err(f"cannot write '{out}': {e.strerror or e}")
        overflow = [ln for ln in stdout.splitlines() if ln.startswith("OVERFLOW")]
        for ln in overflow:
            print(ln)
        print(f"wrote {out} ([{n}, {len(names)}] float32: {', '.join(names[:6])}{', ...' if len(names) > 6 else ''}); "
              f"{-(-n // batch)} tile(s) of {batch}, {mode}, build {t_build:.1f}s, run {t_run:.2f}s")
        res = {"samples": n, "tiles": -(-n // batch), "batch": batch, "outputs_file": str(out), "mode": mode,
               "precision": prec, "build_seconds": t_build, "run_seconds": t_run, "overflows": overflow}
        if not args.no_reference:
            t2 = time.perf_counter()
            with Progress(*columns, console=console, transient=not console.is_terminal) as bar:
                task = bar.add_task("PyTorch float64 reference", total=None)
                ref, f32 = reference(proj, coords, tiles,
                                     on_chunk=lambda done, total: bar.update(task, completed=done, total=total))
            orders = [o["order"] for o in outs]
            labels = [o["name"] for o in outs]
            cmp = compare(got, ref, labels, orders)
            torch_f32 = compare(f32, ref, labels, orders)["max_rel_err"]
            print(f"max_abs_err={cmp['max_abs_err']:.3e} max_rel_err={cmp['max_rel_err']:.3e} "
                  f"torch_f32_rel_err={torch_f32:.3e} (worst {cmp['worst']}; {n:,} coordinates, {prec}, {mode})")
            res.update(cmp)
            res.update({"tolerance": tol, "torch_f32_rel_err": torch_f32,
                        "reference_seconds": time.perf_counter() - t2})
    except (TilesError, RecordError) as e:
        return _err(str(e))
    if args.json:
        Path(args.json).write_text(json.dumps(res, indent=1, default=str) + "\n")
    if res["overflows"]:
        return _err(f"fixed-point overflow in {len(res['overflows'])} place(s) (see OVERFLOW lines); the range "
                    "analysis does not cover these coordinates")
    if not args.no_reference and not accepted(res["max_rel_err"], tol,
                                              res["torch_f32_rel_err"] if args.tolerance is None else None):
        return _err(f"max_rel_err={res['max_rel_err']:.3e} exceeds the tolerance {tol:g} (worst output "
                    f"{res['worst']})")
    return 0
