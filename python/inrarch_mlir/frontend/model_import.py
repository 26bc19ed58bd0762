"""`import_model`: model spec -> annotated torch-dialect module of its derivatives.

Glues the one-job modules together (models -> derivatives (reverse mode) or
taylor (Taylor mode) -> tracing -> folding -> importer) and records the time
of each step and the op counts.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Union

import torch
from torch import nn

from .check import verify_lowerable
from .derivatives import DerivativeLayout, couples_samples, derivative_function, with_head
from .errors import FrontendError
from .folding import FoldStats, fold_constants
from .heads import load_head
from .importer import import_graph, op_counts
from .limits import Limits, check_model, check_sizes
from .models import LoadedModel, load_model
from .outputs import parse_outputs
from .taylor import NoJetRule, taylor_function
from .tracing import check_forward, trace_derivatives

#: The derivative algorithms: forward multivariate Taylor mode, nested reverse mode.
AD_MODES = ("taylor", "reverse")


@dataclass
class ImportResult:
    """Everything `import_model` produced."""

    module: object  # torch_mlir.ir.Module, func.func @main
    layout: DerivativeLayout
    model: LoadedModel
    params: List[torch.Tensor]
    coords: torch.Tensor  # the example coordinate batch [batch, in]
    timings: Dict[str, float] = field(default_factory=dict)
    fold_stats: Optional[FoldStats] = None
    fx_nodes: int = 0
    #: the algorithm that built the graph ("taylor" or "reverse")
    ad: str = "taylor"
    #: why the default fell back to reverse mode (empty when it did not)
    ad_note: str = ""
    #: the head network on the outputs (`--head`), its parameters the last of `params`
    head: Optional[nn.Module] = None

    @property
    def op_counts(self) -> Dict[str, int]:
        return op_counts(self.module)

    @property
    def asm(self) -> str:
        return str(self.module)


def example_coords(batch: int, in_features: int, seed: int = 0) -> torch.Tensor:
    """A deterministic batch of coordinates, uniform in [-1, 1]."""
    gen = torch.Generator().manual_seed(seed + 1)
    return torch.rand(batch, in_features, generator=gen) * 2 - 1


def model_example_coords(module: nn.Module, n: int, in_features: int, seed: int = 0,
                         block: Optional[int] = None) -> torch.Tensor:
    """`n` example coordinates for `module`: its own `example_coords(n, block, seed)` when it
    has one (ASMR sharing: whole hierarchical blocks of `block` samples, default n), else
    `example_coords`. A batch the model cannot take is a `FrontendError`."""
    hook = getattr(module, "example_coords", None)
    if hook is None:
        return example_coords(n, in_features, seed)
    try:
        return hook(n, block or n, seed)
    except ValueError as e:
        raise FrontendError(f"--batch: {e}") from None


def import_model(model: Union[str, nn.Module], order: Optional[int], batch: int, *, only_order: bool = False,
                 in_features: Optional[int] = None, seed: int = 0,
                 coords: Optional[torch.Tensor] = None,
                 progress: Optional[Callable[[str], None]] = None,
                 verify: bool = True, limits: Optional[Limits] = None,
                 ad: Optional[str] = None, outputs=None, head=None) -> ImportResult:
    """Traces every unique partial of orders 0..`order` (or `order` alone) to MLIR,
    or exactly the `outputs` asked for.

    - `model`: a spec string (`siren:...`, `path/file.py:factory`) or a module.
    - `outputs`: a `--outputs` list (text, `frontend.outputs`) or `Output`s: the
      design computes only these (their order is `order`'s, which may be None).
    - `head`: `path/file.py:factory` or an nn.Module applied to the
      concatenated outputs (`frontend.heads`); needs `outputs`.
    - `coords`: the example batch; by default `example_coords(batch, in, seed)`.
    - `progress`: called with a short message before each long step.
    - `verify`: lower a copy to linalg so unsupported ops fail here, located.
    - `limits`: order, batch and estimated-kernel limits (`Limits()` by default),
      checked before tracing; a request over one raises `LimitError`.
    - `ad`: "taylor" (forward multivariate Taylor mode, `taylor.py`) or "reverse"
      (nested reverse mode, `derivatives.py`). The default, None, is Taylor mode
      except where it does not apply: a model whose samples interact (its
      derivatives are not per-sample; the references are reverse mode's) or an
      op without a jet rule; those fall back to reverse mode (`ad_note` says
      why). An explicit "taylor" raises `FrontendError` there instead.
    Raises `FrontendError` for anything the user can fix.
    """
    say = progress or (lambda msg: None)
    if ad is not None and ad not in AD_MODES:
        raise FrontendError(f"--ad must be one of {', '.join(AD_MODES)}, got '{ad}'")
    if head is not None and outputs is None:
        raise FrontendError("--head needs --outputs: the head's inputs are the outputs it names")
    if order is None and outputs is None:
        raise FrontendError("give --order (all partials up to it) or --outputs")
    if order is not None and order < 0:
        raise FrontendError(f"--order must be >= 0, got {order}")
    if batch < 1:
        raise FrontendError(f"--batch must be >= 1, got {batch}")
    limits = limits or Limits()
    check_sizes(order or 0, batch, limits)
    timings: Dict[str, float] = {}
    t0 = time.perf_counter()
    if isinstance(model, str):
        loaded = load_model(model, in_features=in_features, seed=seed)
    else:
        if in_features is None:
            lin = next((m for m in model.modules() if isinstance(m, nn.Linear)), None)
            if lin is None:
                raise FrontendError("cannot infer the number of input coordinates; pass in_features")
            in_features = lin.in_features
        loaded = LoadedModel(model.float().eval(), in_features, type(model).__name__)
    module = loaded.module
    if outputs is not None:  # the outputs need the model's output width: read it from a forward pass
        with torch.no_grad():
            y = module(torch.zeros(2, loaded.in_features))
        width = 1 if y.dim() == 1 else int(y.shape[-1])
        selected = parse_outputs(outputs, loaded.in_features, width) if isinstance(outputs, str) else tuple(outputs)
        needed = max((p.order for o in selected for _, p in o.terms), default=0)
        if order is not None and order != needed:
            raise FrontendError(f"--outputs needs derivatives of order {needed}, not --order {order}; "
                                "drop --order")
        order = needed
        check_sizes(order, batch, limits)
    check_model(module, loaded.in_features, order, only_order, limits)
    names = [n for n, _ in module.named_parameters()]
    params = [p.detach() for _, p in module.named_parameters()]
    if coords is None:
        coords = model_example_coords(module, batch, loaded.in_features, seed)
    timings["load"] = time.perf_counter() - t0

    say(f"checking the forward pass of {loaded.spec}")
    t = time.perf_counter()
    fwd = check_forward(module, coords, params, names, order)
    out_val = [n for n in fwd.graph.nodes if n.op == "output"][0].args[0]
    out_val = out_val[0] if isinstance(out_val, (tuple, list)) else out_val
    shape = out_val.meta["val"].shape
    out_features = int(shape[-1]) if len(shape) > 1 else 1
    if outputs is None:
        layout = DerivativeLayout.build(loaded.in_features, out_features, order, only_order, names)
    else:
        layout = DerivativeLayout.of_outputs(loaded.in_features, out_features, selected, names)
    head_module = None
    if head is not None:
        head_module, n_out = load_head(head, len(layout.results), [o.name for o in layout.results])
        head_names = [f"head.{n}" for n, _ in head_module.named_parameters()]
        layout = layout.with_head(n_out, head_names)
        params = params + [p.detach() for _, p in head_module.named_parameters()]

    mode, note = ad or "taylor", ""
    if mode == "taylor" and order > 0 and couples_samples(module, coords):
        note = ("the model's samples interact (its output for a sample depends on the rest of the batch): "
                "derivatives by Taylor mode are not per-sample there")
        if ad == "taylor":
            raise FrontendError(f"{note}; use --ad reverse")
        mode = "reverse"
    what = f"{len(layout.derivatives)} outputs" if outputs is not None else f"{len(layout.results)} partials"
    headed = f" and a head with {len(layout.results)} outputs" if layout.has_head else ""
    say(f"tracing {what} (orders {','.join(map(str, layout.orders))}){headed} by {mode} mode")
    if mode == "taylor":
        try:
            gm = trace_derivatives(with_head(taylor_function(module, layout), layout, head_module), coords, params)
        except NoJetRule as e:
            if ad == "taylor":
                raise
            where = f" ({e.source_location})" if e.source_location else ""
            note, mode = e.message.replace("; use --ad reverse", "") + where, "reverse"
    if mode == "reverse":
        if note:
            say(f"falling back to reverse mode: {note}")
        gm = trace_derivatives(with_head(derivative_function(module, layout), layout, head_module), coords, params)
    timings["trace"] = time.perf_counter() - t
    fx_nodes = sum(1 for n in gm.graph.nodes if n.op == "call_function")

    say("folding one-hot constants")
    t = time.perf_counter()
    gm, stats = fold_constants(gm, [coords, *params])
    timings["fold"] = time.perf_counter() - t

    say("importing to the torch dialect (canonicalize + cse)")
    t = time.perf_counter()
    mlir_module = import_graph(gm, layout)
    timings["import"] = time.perf_counter() - t
    if verify:
        say("verifying that the module lowers to linalg")
        t = time.perf_counter()
        verify_lowerable(mlir_module)
        timings["verify"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - t0
    return ImportResult(mlir_module, layout, loaded, params, coords, timings, stats, fx_nodes, mode, note,
                        head_module)
