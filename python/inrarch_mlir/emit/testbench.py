"""The files an emitted testbench reads: `hls/data/`.

One float32 file per top-level input port (coordinates, parameters), one
float64 PyTorch reference file per output, PyTorch's own float32 results
(`torch_f32_*.bin`, float64 files; what float32 itself achieves), and
`manifest.json`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

import numpy as np


def write_data(outdir, design, args: Sequence[np.ndarray], expected: Sequence[np.ndarray],
               orders: Sequence[int] | None = None, torch_f32: Sequence[np.ndarray] | None = None) -> Path:
    """Writes `outdir/data/` and returns it.

    - design: the `emit.hls.Design` the project was emitted from (port names).
    - args: the function's arguments (coordinates first), any array-likes.
    - expected: reference outputs in return order (PyTorch, float64).
    - torch_f32: the same outputs from PyTorch in float32 (optional).
    """
    data = Path(outdir) / "data"
    data.mkdir(parents=True, exist_ok=True)
    manifest = {"inputs": {}, "outputs": {}}
    for port in design.inputs:
        a = np.asarray(args[port.arg_index], dtype=np.float32).reshape(-1)
        if a.size != port.size:
            raise ValueError(f"argument {port.arg_index} ('{port.name}') has {a.size} elements; "
                             f"the design expects {port.size}")
        a.tofile(data / f"{port.cname}.bin")
        manifest["inputs"][port.cname] = {"arg": port.arg_index, "size": port.size}
    for j, port in enumerate(design.outputs):
        e = np.asarray(expected[j], dtype=np.float64).reshape(-1)
        if e.size != port.size:
            raise ValueError(f"reference output {j} ('{port.name}') has {e.size} elements; expected {port.size}")
        e.tofile(data / f"expected_{port.cname}.bin")
        manifest["outputs"][port.cname] = {"index": j, "size": port.size,
                                           "order": int(orders[j]) if orders is not None else 0}
        if torch_f32 is not None:
            np.asarray(torch_f32[j], dtype=np.float64).reshape(-1).tofile(data / f"torch_f32_{port.cname}.bin")
            manifest["outputs"][port.cname]["torch_f32"] = f"torch_f32_{port.cname}.bin"
    (data / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return data
