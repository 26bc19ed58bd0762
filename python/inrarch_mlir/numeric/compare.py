"""Errors of computed outputs against a reference, per output and overall.

rel = max |actual - reference| / max |reference| per output (the output's
range); outputs whose reference magnitude is below TINY x the largest
output of the same derivative order are reported but not counted (as in
`inrarch import --check` and the emitted testbench).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

#: Outputs below TINY x the largest output of their order are not counted.
TINY = 1e-6


def compare(actual: Sequence[np.ndarray], expected: Sequence[np.ndarray], names: Sequence[str],
            orders: Sequence[int]) -> dict:
    """Per-output and overall errors: `max_abs_err`, `max_rel_err`, `worst`, `outputs`."""
    scale = {}
    for o, e in zip(orders, expected):
        scale[o] = max(scale.get(o, 0.0), float(np.max(np.abs(e))) if np.size(e) else 0.0)
    rows, max_abs, max_rel, worst = [], 0.0, 0.0, ""
    for name, o, a, e in zip(names, orders, actual, expected):
        a = np.asarray(a, dtype=np.float64).reshape(-1)
        e = np.asarray(e, dtype=np.float64).reshape(-1)
        err = float(np.max(np.abs(a - e))) if e.size else 0.0
        if not np.isfinite(err):
            err = float("inf")
        mag = float(np.max(np.abs(e))) if e.size else 0.0
        tiny = mag <= TINY * max(scale[o], 1e-30)
        rel = 0.0 if tiny else (err / mag if mag else float("inf"))
        rows.append({"name": name, "order": int(o), "abs_err": err, "rel_err": rel, "ref_max": mag, "tiny": tiny})
        max_abs = max(max_abs, err)
        if rel >= max_rel:
            max_rel, worst = rel, name
    return {"max_abs_err": max_abs, "max_rel_err": max_rel, "worst": worst, "outputs": rows}
