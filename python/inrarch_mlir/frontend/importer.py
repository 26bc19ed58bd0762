"""FX graph -> torch-dialect MLIR module, cleaned up and annotated.

Imports the folded graph with torch-mlir's `FxImporter` (weights stay
function arguments), runs canonicalize + CSE, names the arguments
(`inrarch.arg_names`) and records the result layout as a JSON string
attribute `inrarch.layout` on the function. Unsupported aten ops (imported
as generic `torch.operator`) are reported with the user's source line.
"""

from __future__ import annotations

import collections
import re
from typing import Dict, Optional

import torch.fx as fx

from .derivatives import DerivativeLayout
from .errors import FrontendError, SourceLocation, is_user_file

FUNC_NAME = "main"
CLEANUP_PIPELINE = "builtin.module(func.func(canonicalize, cse, canonicalize))"


def new_context():
    """A context with the torch dialect (and ours, when available) registered."""
    try:
        from ..context import make_context

        return make_context()
    except Exception:
        from torch_mlir import ir
        from torch_mlir.dialects import torch as torch_dialect

        ctx = ir.Context()
        torch_dialect.register_dialect(ctx)
        return ctx


def _location_of(op) -> Optional[SourceLocation]:
    text = str(op.location)
    found = None
    for file, line in re.findall(r'"([^"]+)":([0-9]+)', text):
        if is_user_file(file):
            found = SourceLocation(file, int(line))
    return found


def _walk(op):
    for region in op.regions:
        for block in region.blocks:
            for inner in block.operations:
                yield inner
                yield from _walk(inner)


def op_counts(module) -> Dict[str, int]:
    """Histogram of operation names inside the module's functions."""
    counts: Dict[str, int] = collections.Counter()
    for op in _walk(module.operation):
        name = op.operation.name
        if name not in ("func.func", "func.return"):
            counts[name] += 1
    return dict(sorted(counts.items()))


def reject_unsupported(module) -> None:
    """Raises on the first op torch-mlir could not type (`torch.operator`)."""
    for op in _walk(module.operation):
        if op.operation.name == "torch.operator":
            name = str(op.attributes["name"]).strip('"')
            raise FrontendError(
                f"unsupported op '{name.replace('torch.', '')}': torch-mlir cannot import it; "
                "rewrite the model without it or with an equivalent supported op",
                _location_of(op))


def import_graph(gm: fx.GraphModule, layout: DerivativeLayout, *, context=None):
    """Imports `gm` as `func.func @main`, cleans it up, attaches the layout."""
    from torch_mlir import ir
    from torch_mlir.extras.fx_importer import FxImporter
    from torch_mlir.passmanager import PassManager

    ctx = context or new_context()
    importer = FxImporter(context=ctx)
    try:
        importer.import_stateless_graph(gm.graph, func_name=FUNC_NAME)
    except FrontendError:
        raise
    except Exception as e:  # the importer raises plain Python errors on unknown ops
        first = (str(e).strip().splitlines() or [""])[0]
        raise FrontendError(f"importing to the torch dialect failed: {type(e).__name__}: {first}") from None
    module = importer.module
    reject_unsupported(module)
    with ctx:
        try:
            PassManager.parse(CLEANUP_PIPELINE).run(module.operation)
        except Exception as e:
            raise FrontendError(f"canonicalize/cse failed: {str(e).strip().splitlines()[0]}") from None
        func = next(op for op in module.body.operations if op.operation.name == "func.func")
        func.attributes["inrarch.layout"] = ir.StringAttr.get(layout.to_json())
        func.attributes["inrarch.arg_names"] = ir.ArrayAttr.get(
            [ir.StringAttr.get(n) for n in layout.arguments])
        func.attributes["inrarch.result_names"] = ir.ArrayAttr.get(
            [ir.StringAttr.get(p.name) for p in layout.results])
    return module


def layout_of(module) -> DerivativeLayout:
    """Reads `inrarch.layout` back from an imported module."""
    from torch_mlir import ir

    for op in module.body.operations:
        if op.operation.name == "func.func" and "inrarch.layout" in op.attributes:
            return DerivativeLayout.from_json(ir.StringAttr(op.attributes["inrarch.layout"]).value)
    raise FrontendError("module has no 'inrarch.layout' attribute (was it made by `inrarch import`?)")
