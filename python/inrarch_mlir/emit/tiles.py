"""Any number of coordinates through an emitted design, in tiles of its batch.

`inrarch csim DIR --coords FILE.npy` checks the file (`read_coords`), runs
the testbench once in `--tiles` mode (it calls the top once per tile of the
design batch, n = the tile's samples, the last tile shorter) and reads the
outputs back (`run_tiles`); `reference` recomputes the PyTorch float64
reference (and float32's own results) tile group by tile group from the
model saved at compile time (`model_record`). Why tiles of the batch rather
than one call over N: the top's ports are sized for the design batch (its
m_axi depths, its figures), so a call never exceeds what was compiled.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Callable, Optional

import numpy as np

#: Samples per reference computation (whole tiles, at least one): few calls (each has a fixed cost), bounded memory.
REFERENCE_CHUNK = 32768


class TilesError(ValueError):
    """A one-line error of a tiled run (bad coordinates, a failed simulation)."""


def read_coords(path, in_features: int) -> np.ndarray:
    """The [N, in_features] float32 coordinates of a .npy file; `TilesError` names what is wrong."""
    p = Path(path)
    if not p.is_file():
        raise TilesError(f"--coords '{p}' does not exist")
    try:
        a = np.load(p, allow_pickle=False)
    except (OSError, ValueError, EOFError) as e:
        raise TilesError(f"--coords '{p}' is not a readable .npy array ({str(e).splitlines()[0] if str(e) else e})")
    if not isinstance(a, np.ndarray) or a.dtype.kind not in "fiu":
        kind = type(a).__name__ if not isinstance(a, np.ndarray) else f"dtype {a.dtype}"
        raise TilesError(f"--coords '{p}' must hold a numeric array, got {kind}")
    if a.ndim == 1 and in_features == 1:
        a = a.reshape(-1, 1)
    if a.ndim != 2 or a.shape[1] != in_features or a.shape[0] < 1:
        raise TilesError(f"--coords '{p}' must be an [N, {in_features}] array (N >= 1), got shape "
                         f"{list(a.shape)}")
    bad = ~np.isfinite(a)
    if bad.any():
        r, c = (int(i) for i in np.argwhere(bad)[0])
        raise TilesError(f"--coords '{p}' has {int(bad.sum())} non-finite value(s) (first at row {r}, column {c}: "
                         f"{a[r, c]}); coordinates must be finite")
    return np.ascontiguousarray(a, dtype=np.float32)


def check_tileable(tiles: dict, n: int) -> None:
    """Raises `TilesError` when the design cannot run `n` coordinates in tiles."""
    if not tiles or not tiles.get("batch_rows"):
        raise TilesError("this design's coordinates and outputs do not hold one row per sample: it cannot run "
                         "in tiles (re-emit the project, or check its outputs)")
    if not tiles["tileable"] and n % tiles["batch"]:
        raise TilesError(f"samples interact in this design (barrier kernels): it runs whole batches only, so N must "
                         f"be a multiple of {tiles['batch']}, got {n}")


def run_tiles(exe: Path, proj: Path, coords: np.ndarray, outputs: list[dict], tiles: dict, *,
              timeout: float, on_tile: Callable[[int, int], None]) -> tuple[list[np.ndarray], str]:
    """Runs the testbench in `--tiles` mode; returns ([N, row] per output, stdout)."""
    work = proj / "tiles"
    work.mkdir(exist_ok=True)
    src = work / "coords.bin"
    coords.tofile(src)
    cmd = [str(exe), "--tiles", str(proj / "data"), str(src), str(len(coords)), str(work)]
    lines: list[str] = []
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        import threading

        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("TILE "):
                done, total = (int(x) for x in line.split()[1:3])
                on_tile(done, total)
        err = proc.stderr.read()
        rc = proc.wait()
        timer.cancel()
    finally:
        if proc.poll() is None:
            proc.kill()
    stdout = "".join(lines)
    if rc == -9:
        raise TilesError(f"the tiled simulation ran longer than {timeout:g} s")
    if rc == 3 or "DEADLOCK" in err:
        fifos = [ln.split("'")[1] for ln in err.splitlines() if ln.strip().startswith("FIFO '")
                 and "blocked on write" in ln]
        raise TilesError(f"deadlock in the tiled simulation: full FIFOs (writer blocked): {', '.join(fifos) or 'none'}")
    if rc != 0:
        first = next((ln for ln in err.splitlines() if ln.strip()), f"exit status {rc}")
        raise TilesError(f"the tiled simulation failed: {first.strip()[:300]}")
    got = []
    for o in outputs:
        row = tiles["rows"][o["cname"]]
        a = np.fromfile(work / f"tile_{o['cname']}.bin", dtype=np.float32)
        if a.size != len(coords) * row:
            raise TilesError(f"the tiled simulation wrote {a.size} values of {o['name']}; expected {len(coords) * row}")
        got.append(a.reshape(len(coords), row))
    return got, stdout


def reference(proj: Path, coords: np.ndarray, tiles: dict, *,
              on_chunk: Optional[Callable[[int, int], None]] = None) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """PyTorch's float64 reference and float32 results at `coords`, per group of whole tiles.

    A per-sample design's reference does not depend on the grouping (groups
    of `REFERENCE_CHUNK` samples, whole tiles); where samples interact the
    reference is computed tile by tile, as the design runs."""
    import torch

    from ..frontend.check import references
    from .model_record import load_record

    rec = load_record(proj)
    batch = tiles["batch"]
    chunk = batch if not tiles["tileable"] else batch * max(1, REFERENCE_CHUNK // batch)
    ref: list[list[np.ndarray]] = []
    f32: list[list[np.ndarray]] = []
    total = -(-len(coords) // chunk)
    for k, lo in enumerate(range(0, len(coords), chunk)):
        x = torch.from_numpy(coords[lo:lo + chunk].copy())
        r, f, _ = references(rec, x, coupled=not tiles["tileable"])
        ref.append([t.detach().double().numpy().reshape(len(x), -1) for t in r])
        f32.append([t.detach().double().numpy().reshape(len(x), -1) for t in f])
        if on_chunk is not None:
            on_chunk(k + 1, total)
    return ([np.concatenate([c[j] for c in ref]) for j in range(len(ref[0]))],
            [np.concatenate([c[j] for c in f32]) for j in range(len(f32[0]))])
