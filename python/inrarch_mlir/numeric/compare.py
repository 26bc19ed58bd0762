"""Errors of computed outputs against a reference, per output and overall.

rel = max |actual - reference| / max |reference| per output (the output's
range); outputs whose reference magnitude is below TINY x the largest
output of the same derivative order are reported but not counted (as in
`inrarch import --check` and the emitted testbench). A non-finite value on
either side counts as an infinite error.

A design is judged against float32's own conditioning: PyTorch's float32
evaluation of the same derivatives has an error too (`torch_f32_rel_err`,
the same metric against the same float64 reference), and a result within
F32_FACTOR of it is as good as float32 can be, whatever the tolerance says.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

#: Outputs below TINY x the largest output of their order are not counted.
TINY = 1e-6
#: A result within this factor of PyTorch's own float32 error passes. 2: a
#: float32 design rounds differently from PyTorch's eager float32 (other
#: accumulation orders, other libm), so its error is of the same size but not
#: the same; measured over every built-in family (import --check at order 4,
#: bounded csim at order 2, bench/families.py) the ratio is 0.96-1.31 where
#: float32's error is above 1e-6 (README, "inrarch compile / inrarch csim").
F32_FACTOR = 2.0


def accepted(max_rel_err: float, tolerance: float, torch_f32_rel_err: float | None) -> bool:
    """Whether an error passes: within the tolerance, or within F32_FACTOR of float32's own error."""
    limit = tolerance if torch_f32_rel_err is None else max(tolerance, F32_FACTOR * torch_f32_rel_err)
    return max_rel_err <= limit


def compare(actual: Sequence[np.ndarray], expected: Sequence[np.ndarray], names: Sequence[str],
            orders: Sequence[int]) -> dict:
    """Per-output and overall errors: `max_abs_err`, `max_rel_err`, `worst`, `outputs`."""
    scale = {}
    for o, e in zip(orders, expected):
        finite = np.abs(np.asarray(e, dtype=np.float64))
        finite = finite[np.isfinite(finite)]
        scale[o] = max(scale.get(o, 0.0), float(finite.max()) if finite.size else 0.0)
    rows, max_abs, max_rel, worst = [], 0.0, 0.0, ""
    for name, o, a, e in zip(names, orders, actual, expected):
        a = np.asarray(a, dtype=np.float64).reshape(-1)
        e = np.asarray(e, dtype=np.float64).reshape(-1)
        err = float(np.max(np.abs(a - e))) if e.size else 0.0
        if not np.isfinite(err):
            err = float("inf")
        mag = float(np.max(np.abs(e))) if e.size else 0.0
        finite = bool(np.isfinite(mag))
        tiny = finite and mag <= TINY * max(scale[o], 1e-30)
        rel = 0.0 if tiny else (err / mag if finite and mag else float("inf"))
        rows.append({"name": name, "order": int(o), "abs_err": err, "rel_err": rel, "ref_max": mag, "tiny": tiny})
        max_abs = max(max_abs, err)
        if rel >= max_rel:
            max_rel, worst = rel, name
    return {"max_abs_err": max_abs, "max_rel_err": max_rel, "worst": worst, "outputs": rows}
