"""The frontend: PyTorch INR + order N -> torch-dialect MLIR of its derivatives.

Public entry points (heavy modules load lazily, so importing this package
does not import torch):

- `import_model(model, order, batch, *, only_order=False, in_features=None,
  seed=0, coords=None, progress=None, ad=None, outputs=None, head=None) -> ImportResult`;
  `ad` is "taylor" (Taylor-mode jets, the default) or "reverse" (nested reverse
  mode); `outputs` a `--outputs` list (partials, operators, combinations:
  `parse_outputs`), `head` a network on them.
- `taylor_function(module, layout)`, `derivative_function(module, layout)`:
  the derivative function by Taylor mode or by reverse mode.
- `load_model(spec, *, in_features=None, seed=0) -> LoadedModel`
- `DerivativeLayout`, `Output`, `Partial`: which result is which output of which partials.
- `check_module(result, *, tolerance=1e-4) -> CheckReport`: JIT-run the
  module and compare it with `torch.func` (float64 reference).
- `FrontendError`: the one user-facing error type.
"""

from __future__ import annotations

_LAZY = {
    "import_model": ".model_import",
    "ImportResult": ".model_import",
    "example_coords": ".model_import",
    "load_model": ".models",
    "parse_builtin_spec": ".models",
    "FAMILIES": ".models",
    "LoadedModel": ".models",
    "DerivativeLayout": ".derivatives",
    "Partial": ".derivatives",
    "Output": ".derivatives",
    "parse_outputs": ".outputs",
    "OPERATORS": ".outputs",
    "with_head": ".derivatives",
    "derivative_function": ".derivatives",
    "taylor_function": ".taylor",
    "AD_MODES": ".model_import",
    "reference_partials": ".derivatives",
    "couples_samples": ".derivatives",
    "check_module": ".check",
    "CheckReport": ".check",
    "run_module": ".check",
    "op_counts": ".importer",
    "layout_of": ".importer",
    "FrontendError": ".errors",
    "SourceLocation": ".errors",
    "Limits": ".limits",
    "LimitError": ".limits",
}

__all__ = sorted(_LAZY)


def __getattr__(name):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
