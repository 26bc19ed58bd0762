"""The files an emitted testbench reads: `hls/data/`.

One float32 file per top-level input port (coordinates, parameters), one
float64 PyTorch reference file per output, PyTorch's own float32 results
(`torch_f32_*.bin`, float64 files; what float32 itself achieves), and
`manifest.json`. The coordinates may hold fewer samples than the design
batch (the testbench calls the top with n = their count): a compile writes
at most `TESTBENCH_SAMPLES`, so a huge batch does not write huge files.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

import numpy as np

#: At most this many samples of testbench data (a tileable design; the timed
#: csim equals the timing model when the data holds the whole batch, so
#: batches up to this size keep their whole batch).
TESTBENCH_SAMPLES = 4096


def testbench_samples(design) -> int:
    """How many samples a compile writes for `design` (whole batches where samples interact)."""
    return design.batch if not design.tileable else min(design.batch, TESTBENCH_SAMPLES)


def write_data(outdir, design, args: Sequence[np.ndarray], expected: Sequence[np.ndarray],
               orders: Sequence[int] | None = None, torch_f32: Sequence[np.ndarray] | None = None) -> Path:
    """Writes `outdir/data/` and returns it.

    - design: the `emit.hls.Design` the project was emitted from (port names).
    - args: the function's arguments (coordinates first, n <= batch samples of them), any array-likes.
    - expected: reference outputs in return order (PyTorch, float64) for the same n samples.
    - torch_f32: the same outputs from PyTorch in float32 (optional).
    """
    data = Path(outdir) / "data"
    data.mkdir(parents=True, exist_ok=True)
    coords = design.coords
    n = design.batch
    if coords is not None:
        rows = np.asarray(args[coords.arg_index]).reshape(-1).size // coords.row(design.batch)
        n = rows if design.tileable and 1 <= rows <= design.batch else design.batch
    manifest = {"samples": n, "batch": design.batch, "inputs": {}, "outputs": {}}

    def size(port) -> int:
        return n * port.row(design.batch) if port.per_sample else port.size

    for port in design.inputs:
        a = np.asarray(args[port.arg_index], dtype=np.float32).reshape(-1)
        want = size(port) if port is coords else port.size
        if a.size != want:
            raise ValueError(f"argument {port.arg_index} ('{port.name}') has {a.size} elements; "
                             f"the design expects {want}")
        a.tofile(data / f"{port.cname}.bin")
        manifest["inputs"][port.cname] = {"arg": port.arg_index, "size": want}
    for j, port in enumerate(design.outputs):
        e = np.asarray(expected[j], dtype=np.float64).reshape(-1)
        if e.size != size(port):
            raise ValueError(f"reference output {j} ('{port.name}') has {e.size} elements; expected {size(port)}")
        e.tofile(data / f"expected_{port.cname}.bin")
        manifest["outputs"][port.cname] = {"index": j, "size": size(port),
                                           "order": int(orders[j]) if orders is not None else 0}
        if torch_f32 is not None:
            np.asarray(torch_f32[j], dtype=np.float64).reshape(-1).tofile(data / f"torch_f32_{port.cname}.bin")
            manifest["outputs"][port.cname]["torch_f32"] = f"torch_f32_{port.cname}.bin"
    (data / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return data
