"""What the examples share: the camera image, pixel grids, fitting, float64
PyTorch derivatives, a compiled design run over every pixel, PSNR, figures.

Every example is the same story: a trained model, a design compiled by
`inrarch_mlir.compile` for the outputs it needs, `inrarch csim DIR --coords`
over every pixel coordinate (tiles of the design batch), and the result
compared with PyTorch's float64 `torch.func` derivatives of the same model,
an independent route. Nothing is downloaded: the image is scikit-image's
bundled `camera`.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence

import numpy as np

HERE = Path(__file__).resolve().parent
WEIGHTS = HERE / "weights"
RESULTS = HERE / "results"
#: Where designs are compiled unless --workdir says otherwise (git-ignored).
BUILD = HERE / "build"

#: The image INR all image examples use, and its committed fit.
SIREN_SPEC = "siren:in=2,hidden=64,layers=3,out=1,w0=30"
CAMERA_WEIGHTS = WEIGHTS / "camera_siren.pt"
IMAGE_SIZE = 128
#: The tiny sizes of --smoke (the test suite's run; a few seconds).
SMOKE_SIREN_SPEC = "siren:in=2,hidden=8,layers=2,out=1,w0=30"
SMOKE_SIZE = 8
#: Samples per call of the compiled top; csim runs every pixel in tiles of it.
BATCH = 256
SMOKE_BATCH = 16


class ExampleError(Exception):
    """A user-facing failure of an example: `str()` is one line."""


# ---------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------


def camera(size: int) -> np.ndarray:
    """scikit-image's bundled 512x512 `camera`, area-downsampled to [size, size], grey values in [0, 1]."""
    from skimage import data, transform

    image = data.camera().astype(np.float32) / 255.0
    if size != image.shape[0]:
        image = transform.resize(image, (size, size), anti_aliasing=True, order=1)
    return np.clip(image, 0.0, 1.0).astype(np.float32)


def pixel_grid(rows: int, cols: Optional[int] = None, lo=(-1.0, -1.0), hi=(1.0, 1.0)) -> np.ndarray:
    """Pixel-centre coordinates [rows * cols, 2] in row-major order: x0 runs down the
    rows from lo[0] to hi[0], x1 along the columns from lo[1] to hi[1]."""
    cols = rows if cols is None else cols
    r = np.linspace(lo[0], hi[0], rows, dtype=np.float64)
    c = np.linspace(lo[1], hi[1], cols, dtype=np.float64)
    return np.stack(np.meshgrid(r, c, indexing="ij"), axis=-1).reshape(-1, 2).astype(np.float32)


# ---------------------------------------------------------------------------
# Models, fitting and weights
# ---------------------------------------------------------------------------


def build_model(spec: str, seed: int = 0):
    """The built-in model `spec` (e.g. `siren:...`, `tanh:...`) as the compiler builds it."""
    from inrarch_mlir.frontend.models import load_model

    return load_model(spec, seed=seed).module


def train(module, loss_fn: Callable[[], "object"], steps: int, lr: float, label: str,
          report_every: Optional[int] = None) -> float:
    """Adam with a cosine learning-rate decay on `loss_fn()` (full batch); prints progress, returns the last loss."""
    import torch

    opt = torch.optim.Adam(module.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, max(1, steps))
    every = report_every or max(1, steps // 10)
    t0 = time.perf_counter()
    loss = float("nan")
    for step in range(1, steps + 1):
        opt.zero_grad()
        value = loss_fn()
        value.backward()
        opt.step()
        sched.step()
        loss = float(value.detach())
        if not np.isfinite(loss):
            raise ExampleError(f"{label}: the loss became {loss} at step {step}; lower the learning rate")
        if step % every == 0 or step == steps:
            print(f"  {label}: step {step}/{steps} loss {loss:.3e} ({time.perf_counter() - t0:.0f} s)", flush=True)
    return loss


def fit_image(spec: str, image: np.ndarray, steps: int, lr: float = 1e-3, seed: int = 0):
    """A `spec` model fitted to `image` (values at `pixel_grid` coordinates); returns (module, PSNR dB)."""
    import torch

    torch.manual_seed(seed)
    module = build_model(spec, seed).train()
    x = torch.from_numpy(pixel_grid(*image.shape))
    y = torch.from_numpy(image.reshape(-1, 1).astype(np.float32))
    train(module, lambda: ((module(x) - y) ** 2).mean(), steps, lr, "fit SIREN")
    module.eval()
    with torch.no_grad():
        fit = module(x).numpy().reshape(image.shape)
    return module, psnr(fit, image, peak=1.0)


def save_weights(module, path: Path, meta: dict) -> None:
    """The module's state_dict at `path` (what `--weights` loads) and `meta` beside it as .json."""
    import torch

    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({k: v.detach().clone() for k, v in module.state_dict().items()}, path)
    path.with_suffix(".json").write_text(json.dumps(meta, indent=1) + "\n")


def load_weights(spec: str, path: Path):
    """The `spec` model with the state_dict at `path` (the compiler's own loader, so both see the same)."""
    from inrarch_mlir.frontend.errors import FrontendError
    from inrarch_mlir.frontend.models import with_weights

    try:
        module, _ = with_weights(spec, str(path))
    except FrontendError as e:
        raise ExampleError(f"{e.message} (refit with --refit)") from None
    return module.float().eval()


def weights_meta(path: Path) -> dict:
    """The .json written beside a state_dict by `save_weights` ({} when absent)."""
    side = path.with_suffix(".json")
    return json.loads(side.read_text()) if side.is_file() else {}


def camera_siren(smoke: bool, refit: bool, workdir: Path, steps: Optional[int] = None):
    """(spec, weights path, module, image) of the camera SIREN: the committed fit, or a new one
    when `refit` (or for --smoke, a tiny one fitted in `workdir`)."""
    spec = SMOKE_SIREN_SPEC if smoke else SIREN_SPEC
    size = SMOKE_SIZE if smoke else IMAGE_SIZE
    path = workdir / "camera_siren_smoke.pt" if smoke else CAMERA_WEIGHTS
    image = camera(size)
    if smoke or refit or not path.is_file():
        steps = steps if steps is not None else (10 if smoke else 500)
        print(f"fitting {spec} to the {size}x{size} camera image ({steps} Adam steps) ...", flush=True)
        t0 = time.perf_counter()
        module, fit_db = fit_image(spec, image, steps)
        save_weights(module, path, {"spec": spec, "image": f"skimage.data.camera() resized to {size}x{size}",
                                    "range": "[0, 1]", "coordinates": "pixel_grid: x0 rows, x1 columns, [-1, 1]",
                                    "steps": steps, "psnr_db": round(fit_db, 2),
                                    "fit_seconds": round(time.perf_counter() - t0, 1)})
        print(f"wrote {path} (fit PSNR {fit_db:.2f} dB)")
    meta = weights_meta(path)
    if meta.get("spec", spec) != spec:
        raise ExampleError(f"{path} was fitted for '{meta['spec']}', not '{spec}'; refit with --refit")
    return spec, path, load_weights(spec, path), image


# ---------------------------------------------------------------------------
# PyTorch's float64 derivatives (the independent route)
# ---------------------------------------------------------------------------


@dataclass
class Derivatives:
    """y [N, out], jacobian [N, out, d], hessian [N, out, d, d], all float64."""

    value: np.ndarray
    jacobian: np.ndarray
    hessian: np.ndarray

    @property
    def laplacian(self) -> np.ndarray:
        """[N, out]: the trace of each channel's Hessian."""
        return np.trace(self.hessian, axis1=2, axis2=3)


def derivatives_torch(module, coords: np.ndarray, dtype: str = "float64", chunk: int = 4096) -> Derivatives:
    """Value, Jacobian and Hessian of `module` at every coordinate by `torch.func` in `dtype`
    (float64: the reference; float32: what PyTorch itself achieves), returned as float64."""
    import torch
    from torch.func import jacfwd, jacrev, vmap

    kind = {"float64": torch.float64, "float32": torch.float32}[dtype]
    model = copy.deepcopy(module).to(kind).eval()

    def f(x):
        return model(x.unsqueeze(0)).reshape(-1)

    parts: Dict[str, List[np.ndarray]] = {"value": [], "jacobian": [], "hessian": []}
    with torch.no_grad():
        for lo in range(0, len(coords), chunk):
            x = torch.from_numpy(np.asarray(coords[lo:lo + chunk], dtype=np.float32)).to(kind)
            parts["value"].append(vmap(f)(x).double().numpy())
            parts["jacobian"].append(vmap(jacrev(f))(x).double().numpy())
            parts["hessian"].append(vmap(jacfwd(jacrev(f)))(x).double().numpy())
    return Derivatives(*(np.concatenate(parts[k]) for k in ("value", "jacobian", "hessian")))


# ---------------------------------------------------------------------------
# The compiled design over every coordinate
# ---------------------------------------------------------------------------


def compile_design(outdir: Path, model: str, *, weights: Path, outputs: str, batch: int, head=None,
                   precision: str = "float"):
    """`inrarch_mlir.compile` of `model` with `weights` for `outputs` (and `head`) into `outdir`
    (replaced) at `precision` (float or fixed<W,I>); prints one line per stage and the design's
    figures; returns the report."""
    import inrarch_mlir
    from inrarch_mlir.compiler import CompileFailed

    seen = set()

    def progress(event):
        if event.stage not in seen:
            seen.add(event.stage)
            print(f"  compile: {event.stage}: {event.message}", flush=True)

    t0 = time.perf_counter()
    try:
        report = inrarch_mlir.compile(model, None, batch, outdir=str(outdir), outputs=outputs, head=head,
                                      weights=str(weights), precision=precision, overwrite=True,
                                      progress=progress)
    except CompileFailed as e:
        raise ExampleError(f"compile failed: {e}") from None
    r = report.to_dict()
    print(f"compiled {outdir} in {time.perf_counter() - t0:.0f} s: {r['kernels']} kernels, {r['fifos']} FIFOs, "
          f"{r['macs_per_sample']:,} MACs/sample, {r['cycles']:,} cycles per batch of {batch} (estimate), "
          f"{r['dsp']:,} DSP, fits {r['part']}: {'yes' if r['fits'] else 'no'}")
    return r


def csim_over(design: Path, coords: np.ndarray) -> Dict[str, np.ndarray]:
    """Runs `inrarch csim DESIGN --coords` over `coords` (its progress bar on stderr; it also
    checks the outputs against PyTorch itself) and returns {column: [N] float32}."""
    from inrarch_mlir.cli.main import main as inrarch

    work = Path(design)
    coords_file, out_file = work / "coords.npy", work / "csim_outputs.npy"
    np.save(coords_file, np.ascontiguousarray(coords, dtype=np.float32))
    print(f"$ inrarch csim {work} --coords {coords_file} --out {out_file}", flush=True)
    rc = inrarch(["csim", str(work), "--coords", str(coords_file), "--out", str(out_file)])
    if rc != 0:
        raise ExampleError(f"inrarch csim {work} --coords ... failed (exit {rc}; its error is above)")
    columns = json.loads(out_file.with_suffix(".json").read_text())["columns"]
    table = np.load(out_file)
    if table.shape != (len(coords), len(columns)):
        raise ExampleError(f"{out_file} holds {list(table.shape)}; expected [{len(coords)}, {len(columns)}]")
    return {name: table[:, j] for j, name in enumerate(columns)}


# ---------------------------------------------------------------------------
# Figures of merit and pictures
# ---------------------------------------------------------------------------


def psnr(test: np.ndarray, reference: np.ndarray, peak: Optional[float] = None) -> float:
    """Peak signal-to-noise ratio in dB of `test` against `reference`; the peak is
    the reference's range (max - min) unless given. inf when they are equal."""
    test, reference = np.asarray(test, np.float64), np.asarray(reference, np.float64)
    if test.shape != reference.shape:
        raise ValueError(f"psnr: shapes {test.shape} and {reference.shape} differ")
    peak = float(reference.max() - reference.min()) if peak is None else float(peak)
    mse = float(np.mean((test - reference) ** 2))
    return float("inf") if mse == 0 else 10.0 * np.log10(peak * peak / mse)


@dataclass
class Panel:
    """One picture of a figure: a [rows, cols] array, its title and display range."""

    title: str
    image: np.ndarray
    vmin: Optional[float] = None
    vmax: Optional[float] = None
    cmap: str = "gray"


def save_figure(path: Path, panels: Sequence[Panel], title: str, columns: Optional[int] = None) -> Path:
    """The panels side by side (wrapping after `columns`) in one small PNG at `path`."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    columns = columns or len(panels)
    rows = -(-len(panels) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(2.6 * columns, 2.8 * rows + 0.45), squeeze=False,
                             layout="constrained")
    for ax in axes.flat:
        ax.axis("off")
    for ax, p in zip(axes.flat, panels):
        ax.imshow(p.image, cmap=p.cmap, vmin=p.vmin, vmax=p.vmax, interpolation="nearest")
        ax.set_title(p.title, fontsize=8)
    fig.suptitle(title, fontsize=9)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=80)
    plt.close(fig)
    return path


def robust_range(*images: np.ndarray, percentile: float = 99.5) -> float:
    """A display limit: the `percentile` of |values| over `images` (a few pixels must not wash out the rest)."""
    return float(np.percentile(np.abs(np.concatenate([np.ravel(i) for i in images])), percentile)) or 1.0


def write_json(path: Path, figures: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(figures, indent=1) + "\n")


# ---------------------------------------------------------------------------
# Command lines
# ---------------------------------------------------------------------------


def add_steps_argument(parser, help: str) -> None:
    """`--steps N` (optimizer steps, N >= 1; default None: the script's own)."""
    def count(text: str) -> int:
        value = int(text)
        if value < 1:
            raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
        return value

    parser.add_argument("--steps", type=count, default=None, help=help)


def add_common_arguments(parser) -> None:
    parser.add_argument("--smoke", action="store_true",
                        help="tiny model and image, a few seconds (what the test suite runs); writes only to --workdir")
    parser.add_argument("--refit", action="store_true",
                        help="fit the model again instead of loading the committed weights")
    parser.add_argument("--workdir", type=Path, default=None,
                        help=f"where designs are compiled (default {BUILD.relative_to(HERE.parent)}/, a temporary "
                             "directory with --smoke)")
    parser.add_argument("--results", type=Path, default=None,
                        help=f"where the PNG and JSON go (default {RESULTS.relative_to(HERE.parent)}/; --workdir "
                             "with --smoke)")


def directories(args) -> tuple[Path, Path]:
    """(workdir, results) for the parsed arguments; created."""
    workdir = args.workdir or (Path(tempfile.mkdtemp(prefix="inrarch_example_")) if args.smoke else BUILD)
    results = args.results or (workdir if args.smoke else RESULTS)
    for d in (workdir, results):
        d.mkdir(parents=True, exist_ok=True)
    return workdir, results


def run_main(body: Callable[[], None]) -> int:
    """Runs an example's body: a user-facing failure is one line on stderr and exit 1."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(max(1, min(4, os.cpu_count() or 1)))
    try:
        body()
    except ExampleError as e:
        sys.stderr.write(f"error: {e}\n")
        return 1
    except OSError as e:  # an unwritable --workdir / --results, a full disk: the file and the reason
        sys.stderr.write(f"error: {e.filename or ''}: {e.strerror or e}\n")
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        torch.set_num_threads(threads)  # the test suite runs examples in its own process
    return 0
