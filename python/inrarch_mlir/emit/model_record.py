"""What `inrarch csim --coords` needs to recompute the PyTorch reference: `hls/model/`.

A compile saves the model as it was traced: `record.json` (the model and
head specs, input width, seed and the derivative layout) and `weights.pt`
(the state_dicts, and the modules themselves when they were Python objects
rather than specs). `load_record` rebuilds an `ImportResult`-like object
that `frontend.check.references` takes, so whole-image references follow
the compile's own rule.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

RECORD_DIR = "model"


class RecordError(ValueError):
    """The saved model cannot be rebuilt (one line, names the fix)."""


@dataclass
class _Loaded:
    module: object
    in_features: int


@dataclass
class ReferenceModel:
    """The fields of an `ImportResult` that `frontend.check.references` reads."""

    layout: object
    model: _Loaded
    params: list
    coords: object
    head: Optional[object] = None
    spec: dict = field(default_factory=dict)


def save_record(hls_dir, imported, *, model_spec, head_spec, seed: int) -> Path:
    """Writes `hls_dir/model/` for the compile's `ImportResult`."""
    import torch

    out = Path(hls_dir) / RECORD_DIR
    out.mkdir(parents=True, exist_ok=True)
    head = getattr(imported, "head", None)
    blob = {"model_state": imported.model.module.state_dict(),
            "head_state": head.state_dict() if head is not None else None}
    if not isinstance(model_spec, str):
        blob["model_module"] = imported.model.module
    if head is not None and not isinstance(head_spec, str):
        blob["head_module"] = head
    record = {"model": model_spec if isinstance(model_spec, str) else None,
              "head": head_spec if isinstance(head_spec, str) else None,
              "in_features": int(imported.model.in_features), "seed": int(seed),
              "layout": json.loads(imported.layout.to_json()), "weights": "weights.pt"}
    try:
        torch.save(blob, out / "weights.pt")
    except Exception as e:  # a Python object that does not pickle: csim then needs --no-reference
        record["unsaved"] = f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
        torch.save({"model_state": blob["model_state"], "head_state": blob["head_state"]}, out / "weights.pt")
    (out / "record.json").write_text(json.dumps(record, indent=1) + "\n")
    return out


def load_record(proj) -> ReferenceModel:
    """The model saved in `proj/model/`, ready for `frontend.check.references`; raises `RecordError`."""
    import torch

    from ..frontend.derivatives import DerivativeLayout
    from ..frontend.errors import FrontendError

    where = Path(proj) / RECORD_DIR
    if not (where / "record.json").is_file():
        raise RecordError(f"{where} holds no saved model (compiled before tiles existed?); recompile, or pass "
                          "--no-reference")
    try:
        rec = json.loads((where / "record.json").read_text())
        blob = torch.load(where / rec.get("weights", "weights.pt"), weights_only=False)
        layout = DerivativeLayout.from_json(json.dumps(rec["layout"]))
    except (OSError, ValueError, KeyError, RuntimeError) as e:
        raise RecordError(f"{where}: cannot read the saved model ({type(e).__name__}: {e}); recompile") from None
    try:
        module = _module(rec, blob)
        head = _head(rec, blob, layout)
    except FrontendError as e:
        raise RecordError(f"cannot rebuild the model saved in {where}: {e.message}") from None
    params = [p.detach() for _, p in module.named_parameters()]
    if head is not None:
        params += [p.detach() for _, p in head.named_parameters()]
    return ReferenceModel(layout, _Loaded(module, int(rec["in_features"])), params, None, head, rec)


def _module(rec: dict, blob: dict):
    from ..frontend.models import load_model

    if rec.get("model") is None:
        if "model_module" not in blob:
            raise RecordError(f"the model was a Python object that could not be saved ({rec.get('unsaved')}); "
                              "pass --no-reference")
        module = blob["model_module"]
    else:
        module = load_model(rec["model"], in_features=rec["in_features"], seed=rec["seed"]).module
    module.load_state_dict(blob["model_state"])
    return module.float().eval()


def _head(rec: dict, blob: dict, layout):
    if blob.get("head_state") is None:
        return None
    if rec.get("head") is None:
        if "head_module" not in blob:
            raise RecordError(f"the head was a Python object that could not be saved ({rec.get('unsaved')}); "
                              "pass --no-reference")
        head = blob["head_module"]
    else:
        from ..frontend.heads import load_head

        head, _ = load_head(rec["head"], len(layout.derivatives), [o.name for o in layout.derivatives])
    head.load_state_dict(blob["head_state"])
    return head.float().eval()
