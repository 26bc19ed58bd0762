"""The compile driver: `inrarch_mlir.compile(...)` and the `Compilation` it runs.

- `options`: `CompileOptions` (validated), `CompileFailed`.
- `events`: the stages, typed progress events, the stage timer.
- `compilation`: `Compilation`, whose methods are the stages.
- `figures`: the report stage (figures, resource estimate, pictures).
- `api`: `compile(model, order, batch, *, outdir, ...) -> Report`.
"""

from __future__ import annotations

from .api import compile
from .compilation import Compilation
from .events import ProgressEvent, Stage
from .options import DEFAULT_DSP_BUDGET, CompileFailed, CompileOptions

__all__ = ["Compilation", "CompileFailed", "CompileOptions", "DEFAULT_DSP_BUDGET", "ProgressEvent", "Stage",
           "compile"]
