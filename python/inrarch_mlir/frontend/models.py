"""Model specs: the built-in INR families and `path/file.py:factory`.

A MODEL string is either a built-in spec, `family:key=value,...` (for
example `siren:in=2,hidden=256,layers=4,out=3,w0=30`, the INR-Arch
benchmark; a bare `family` takes every default), or `path/file.py:factory`
where `factory()` returns an `nn.Module`. Built-in weights are initialised
deterministically from a seed with each family's paper's scheme; the
modules themselves live in `families`.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Optional, Tuple

import torch
from torch import nn

from .errors import FrontendError, SourceLocation, user_location_from_traceback
from .families import (ASMR, Finer, SharedASMR, FourierFeatureMLP, GaussMLP, PatchINR, QuadINR, Scone, Siren,  # noqa: F401
                       TanhMLP, asmr_macs_per_pixel, siren_macs_per_pixel)

# ---------------------------------------------------------------------------
# Spec table
# ---------------------------------------------------------------------------

Params = Dict[str, Any]


@dataclass(frozen=True)
class Family:
    """A built-in family: constructor, defaults (every accepted key) and a summary.

    `floats` are the real-valued keys (the rest are integers >= 1), `lists` the
    keys taking '/'-separated positive numbers (`omegas=90/60/30/10`);
    `in_width`/`out_width` give the module's input and output widths when they
    are not `in` and `out`; `check` returns an error about a combination of
    keys, or None.
    """

    build: Callable[[Params], nn.Module]
    defaults: Params
    summary: str
    floats: Tuple[str, ...] = field(default=())
    lists: Tuple[str, ...] = field(default=())
    in_width: Callable[[Params], int] = field(default=lambda p: p["in"])
    out_width: Callable[[Params], int] = field(default=lambda p: p["out"])
    check: Callable[[Params], Optional[str]] = field(default=lambda p: None)


_COMMON = {"in": 2, "hidden": 256, "layers": 4, "out": 3}


def _scone_check(p: Params) -> Optional[str]:
    if p["omegas"] is not None and len(p["omegas"]) != p["layers"]:
        return f"omegas has {len(p['omegas'])} value(s), expected one per layer (layers={p['layers']})"
    return None


FAMILIES: Dict[str, Family] = {
    "siren": Family(
        lambda p: Siren(p["in"], p["hidden"], p["layers"], p["out"], p["w0"]),
        {**_COMMON, "w0": 30.0},
        "SIREN, sine activations (the INR-Arch benchmark)",
        ("w0",),
    ),
    "ffn": Family(
        lambda p: FourierFeatureMLP(p["in"], p["hidden"], p["layers"], p["out"], p["freqs"], p["scale"]),
        {**_COMMON, "freqs": 16, "scale": 10.0},
        "ReLU MLP on Fourier-feature positional encoding",
        ("scale",),
    ),
    "gauss": Family(
        lambda p: GaussMLP(p["in"], p["hidden"], p["layers"], p["out"], p["sigma"]),
        {**_COMMON, "sigma": 0.5},
        "Gaussian-activation MLP",
        ("sigma",),
    ),
    "quad": Family(
        lambda p: QuadINR(p["in"], p["hidden"], p["layers"], p["out"], p["w0"]),
        {**_COMMON, "w0": 30.0},
        "QuadINR: periodic piecewise-quadratic activation (arXiv 2508.14374)",
        ("w0",),
    ),
    "tanh": Family(
        lambda p: TanhMLP(p["in"], p["hidden"], p["layers"], p["out"]),
        dict(_COMMON),
        "tanh MLP (PINN style)",
    ),
    "finer": Family(
        lambda p: Finer(p["in"], p["hidden"], p["layers"], p["out"], p["w0"], p["bias_scale"]),
        {**_COMMON, "w0": 30.0, "bias_scale": None},
        "FINER: variable-periodic sin(w0 (|z|+1) z) (arXiv 2312.02434)",
        ("w0", "bias_scale"),
    ),
    "patch": Family(
        lambda p: PatchINR(p["in"], p["hidden"], p["layers"], p["out"], p["patch"], p["w0"]),
        {**_COMMON, "patch": 2, "w0": 30.0},
        "PatchINR: one query predicts an n x n patch of `out` channels (arXiv 2606.25534)",
        ("w0",),
        out_width=lambda p: p["patch"] ** 2 * p["out"],
    ),
    "asmr": Family(
        lambda p: (SharedASMR if p["share"] else ASMR)(p["in"], p["hidden"], p["layers"], p["out"], p["w0"],
                                                       [[p["base"]] * (p["layers"] + 1)] * p["in"]),
        {**_COMMON, "w0": 30.0, "base": 4, "share": None},
        "ASMR: multi-resolution levels with hierarchical modulation (arXiv 2405.12398)",
        ("w0",),
        in_width=lambda p: p["in"] * (p["layers"] + 1),
        check=lambda p: None if p["share"] in (None, 1) else f"share={p['share']}: give share=1 (sharing on) or omit it",
    ),
    "scone": Family(
        lambda p: Scone(p["in"], p["hidden"], p["layers"], p["out"], p["w0"], p["omegas"]),
        {**_COMMON, "w0": 30.0, "omegas": None},
        "SCONE: Fourier bases collaged by sine-squared masks (arXiv 2312.17018)",
        ("w0",),
        ("omegas",),
        check=_scone_check,
    ),
}


@dataclass
class LoadedModel:
    """A model ready for tracing: the module, its input width and its origin."""

    module: nn.Module
    in_features: int
    spec: str
    source_file: Optional[str] = None


def _parse_value(spec: str, fam: Family, key: str, value: str):
    """One `key=value` of `spec`, converted and range-checked."""
    if key in fam.lists:
        try:
            numbers = tuple(float(v) for v in value.split("/"))
        except ValueError:
            raise FrontendError(f"bad model spec '{spec}': {key}={value!r} is not '/'-separated numbers") from None
        if not all(n > 0 for n in numbers):
            raise FrontendError(f"bad model spec '{spec}': every value of {key} must be > 0, got {value}")
        return numbers
    try:
        number = float(value) if key in fam.floats else int(value)
    except ValueError:
        kind = "a number" if key in fam.floats else "an integer"
        raise FrontendError(f"bad model spec '{spec}': {key}={value!r} is not {kind}") from None
    if key not in fam.floats and number < 1:
        raise FrontendError(f"bad model spec '{spec}': {key} must be >= 1, got {number}")
    if key in fam.floats and not number > 0:
        raise FrontendError(f"bad model spec '{spec}': {key} must be > 0, got {number}")
    return number


def parse_builtin_spec(spec: str) -> Tuple[str, Dict[str, Any]]:
    """`family:k=v,...` (or a bare `family`) -> (family, full parameter dict with defaults filled in)."""
    family, _, rest = spec.partition(":")
    family = family.strip().lower()
    if family not in FAMILIES:
        known = ", ".join(sorted(FAMILIES))
        raise FrontendError(
            f"unknown model '{spec}': expected one of the built-in families ({known}) "
            "as 'family:key=value,...', or 'path/file.py:factory'"
        )
    fam = FAMILIES[family]
    params = dict(fam.defaults)
    for item in filter(None, (s.strip() for s in rest.split(","))):
        key, eq, value = item.partition("=")
        key = key.strip()
        if not eq:
            raise FrontendError(f"bad model spec '{spec}': '{item}' is not key=value")
        if key not in fam.defaults:
            keys = ", ".join(fam.defaults)
            raise FrontendError(f"bad model spec '{spec}': unknown key '{key}' for {family} (known: {keys})")
        params[key] = _parse_value(spec, fam, key, value.strip())
    problem = fam.check(params)
    if problem:
        raise FrontendError(f"bad model spec '{spec}': {problem}")
    return family, params


def _first_linear_in_features(module: nn.Module) -> Optional[int]:
    for sub in module.modules():
        if isinstance(sub, nn.Linear):
            return sub.in_features
    return None


def _load_factory(spec: str) -> Tuple[nn.Module, str]:
    path, _, factory_name = spec.rpartition(":")
    if not os.path.isfile(path):
        raise FrontendError(f"cannot open model file '{path}': no such file")
    if not factory_name.isidentifier():
        raise FrontendError(f"bad model spec '{spec}': '{factory_name}' is not a Python function name")
    mod_name = "_inrarch_user_model_" + "".join(c if c.isalnum() else "_" for c in os.path.abspath(path))
    try:
        spec_obj = importlib.util.spec_from_file_location(mod_name, path)
        user_mod = importlib.util.module_from_spec(spec_obj)
        sys.modules[mod_name] = user_mod
        spec_obj.loader.exec_module(user_mod)
    except SyntaxError as e:
        raise FrontendError(f"syntax error in model file: {e.msg}", SourceLocation(path, e.lineno or 0)) from None
    except Exception as e:  # the user's module-level code failed
        loc = user_location_from_traceback(e.__traceback__)
        raise FrontendError(f"loading '{path}' failed: {type(e).__name__}: {e}", loc) from None
    factory = getattr(user_mod, factory_name, None)
    if not callable(factory):
        raise FrontendError(f"model file '{path}' has no function '{factory_name}'")
    try:
        module = factory()
    except Exception as e:
        loc = user_location_from_traceback(e.__traceback__)
        raise FrontendError(f"{factory_name}() failed: {type(e).__name__}: {e}", loc) from None
    if not isinstance(module, nn.Module):
        raise FrontendError(
            f"{factory_name}() in '{path}' returned {type(module).__name__}, expected a torch.nn.Module"
        )
    return module, os.path.abspath(path)


def load_model(spec: str, *, in_features: Optional[int] = None, seed: int = 0) -> LoadedModel:
    """Builds the model named by `spec` (built-in or `file.py:factory`).

    - `in_features`: the coordinate width; required for a user module whose
      first layer is not an `nn.Linear`, checked against built-ins.
    - `seed`: the torch RNG seed for deterministic weight initialisation.
    """
    torch.manual_seed(seed)
    source_file = None
    if ".py:" in spec or spec.endswith(".py"):
        if spec.endswith(".py"):
            raise FrontendError(f"bad model spec '{spec}': expected 'path/file.py:factory'")
        module, source_file = _load_factory(spec)
        inferred = _first_linear_in_features(module)
    else:
        family, params = parse_builtin_spec(spec)
        module = FAMILIES[family].build(params)
        inferred = FAMILIES[family].in_width(params)
        if inferred != params["in"]:
            width = f"{family} takes {inferred} input coordinates with in={params['in']}"
        else:
            width = f"in={inferred}"
    if in_features is None:
        in_features = inferred
    elif source_file is None and in_features != inferred:
        raise FrontendError(f"--in-features {in_features} contradicts the spec ({width})")
    if in_features is None:
        raise FrontendError(
            "cannot infer the number of input coordinates (no nn.Linear layer found); pass --in-features K"
        )
    if in_features < 1:
        raise FrontendError(f"--in-features must be >= 1, got {in_features}")
    module = module.float().eval()
    return LoadedModel(module, in_features, spec, source_file)


# ---------------------------------------------------------------------------
# Trained weights
# ---------------------------------------------------------------------------


def read_state_dict(path: str) -> Dict[str, torch.Tensor]:
    """The tensors of a checkpoint: a state_dict saved with torch.save (.pt, .pth; also
    {"state_dict": ...} or {"model": ...} wrappers) or a safetensors file."""
    if not os.path.isfile(path):
        raise FrontendError(f"--weights: no such file '{path}'")
    try:
        if path.endswith(".safetensors"):
            from safetensors.torch import load_file

            state = load_file(path, device="cpu")
        else:
            state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # a corrupt or foreign file: say which, in one line
        first = (str(e).strip().splitlines() or [type(e).__name__])[0]
        raise FrontendError(f"--weights: cannot read '{path}' as a state_dict or safetensors file: {first[:200]}") \
            from None
    for key in ("state_dict", "model"):
        if isinstance(state, dict) and isinstance(state.get(key), dict) and len(state) <= 3:
            state = state[key]
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise FrontendError(f"--weights: '{path}' holds a {type(state).__name__}, not a mapping of names to tensors")
    if state and all(k.startswith("module.") for k in state):  # saved from DataParallel
        state = {k[len("module."):]: v for k, v in state.items()}
    return state


def load_weights(module: nn.Module, path: str) -> None:
    """Copies a checkpoint's tensors into `module`; every missing, unexpected or
    mis-shaped tensor is listed in one error."""
    state = read_state_dict(path)
    own = module.state_dict()
    problems = [f"missing {k} {list(v.shape)}" for k, v in own.items() if k not in state]
    problems += [f"unexpected {k} {list(v.shape)}" for k, v in state.items() if k not in own]
    problems += [f"{k}: checkpoint {list(state[k].shape)} vs model {list(v.shape)}" for k, v in own.items()
                 if k in state and tuple(state[k].shape) != tuple(v.shape)]
    if problems:
        raise FrontendError(f"--weights: '{path}' does not match the model ({len(problems)} mismatch(es)): "
                            + "; ".join(problems))
    module.load_state_dict({k: v.to(own[k].dtype) for k, v in state.items()})


def with_weights(model, path: str, in_features=None, seed: int = 0):
    """`model` (a spec string or a module, left untouched) with the checkpoint at
    `path` loaded: returns (module, in_features)."""
    import copy

    if isinstance(model, str):
        loaded = load_model(model, in_features=in_features, seed=seed)
        module, in_features = loaded.module, loaded.in_features
    else:
        module = copy.deepcopy(model)
    load_weights(module, path)
    return module, in_features
