"""Model specs: the five built-in INR families and `path/file.py:factory`.

A MODEL string is either a built-in spec, `family:key=value,...` (for
example `siren:in=2,hidden=256,layers=4,out=3,w0=30`, the INR-Arch
benchmark), or `path/file.py:factory` where `factory()` returns an
`nn.Module`. Built-in weights are initialised deterministically from a seed
with each family's usual scheme.
"""

from __future__ import annotations

import importlib.util
import math
import os
import sys
from dataclasses import dataclass, field
from typing import Callable, Dict, Optional, Tuple

import torch
from torch import nn

from .errors import FrontendError, SourceLocation, user_location_from_traceback

# ---------------------------------------------------------------------------
# The families
# ---------------------------------------------------------------------------


class Siren(nn.Module):
    """SIREN (Sitzmann et al.): `layers` sine layers sin(w0 (W x + b)), linear out.

    Init: first layer U(±1/fan_in), later layers U(±sqrt(6/fan_in)/w0).
    """

    def __init__(self, in_features: int, hidden: int, layers: int, out: int, w0: float):
        super().__init__()
        self.w0 = float(w0)
        dims = [in_features] + [hidden] * layers
        self.hidden = nn.ModuleList(nn.Linear(a, b) for a, b in zip(dims, dims[1:]))
        self.out = nn.Linear(hidden, out)
        with torch.no_grad():
            for i, lin in enumerate(self.hidden):
                fan_in = lin.in_features
                bound = 1.0 / fan_in if i == 0 else math.sqrt(6.0 / fan_in) / self.w0
                lin.weight.uniform_(-bound, bound)
            bound = math.sqrt(6.0 / hidden) / self.w0
            self.out.weight.uniform_(-bound, bound)

    def forward(self, x):
        for lin in self.hidden:
            x = torch.sin(self.w0 * lin(x))
        return self.out(x)


class FourierFeatureMLP(nn.Module):
    """ReLU MLP on a Fourier-feature encoding [cos(2πBx), sin(2πBx)] (Tancik et al.).

    B ~ N(0, scale²) has shape (freqs, in); it is a fixed buffer (not trained),
    so it is folded into the module as a small constant.
    """

    def __init__(self, in_features: int, hidden: int, layers: int, out: int, freqs: int, scale: float):
        super().__init__()
        self.register_buffer("B", torch.randn(freqs, in_features) * float(scale))
        dims = [2 * freqs] + [hidden] * layers
        self.hidden = nn.ModuleList(nn.Linear(a, b) for a, b in zip(dims, dims[1:]))
        self.out = nn.Linear(hidden, out)

    def forward(self, x):
        proj = 2 * math.pi * (x @ self.B.t())
        x = torch.cat([torch.cos(proj), torch.sin(proj)], dim=-1)
        for lin in self.hidden:
            x = torch.relu(lin(x))
        return self.out(x)


class GaussMLP(nn.Module):
    """MLP with the Gaussian activation exp(-z²/(2σ²)) (Ramasinghe & Lucey)."""

    def __init__(self, in_features: int, hidden: int, layers: int, out: int, sigma: float):
        super().__init__()
        self.inv_two_sigma_sq = 1.0 / (2.0 * float(sigma) ** 2)
        dims = [in_features] + [hidden] * layers
        self.hidden = nn.ModuleList(nn.Linear(a, b) for a, b in zip(dims, dims[1:]))
        self.out = nn.Linear(hidden, out)

    def forward(self, x):
        for lin in self.hidden:
            z = lin(x)
            x = torch.exp(-self.inv_two_sigma_sq * (z * z))
        return self.out(x)


class QuadMLP(nn.Module):
    """QuadINR-style MLP: a piecewise-quadratic activation cheap in hardware.

    q(z) = 2u − u·|u| with u = clamp(w0·z, −1, 1): an odd, C¹, sine-like
    parabola on [−1, 1] that saturates at ±1 outside (two quadratic pieces and
    two constant pieces; only comparisons, multiplies and adds in hardware).
    """

    def __init__(self, in_features: int, hidden: int, layers: int, out: int, w0: float):
        super().__init__()
        self.w0 = float(w0)
        dims = [in_features] + [hidden] * layers
        self.hidden = nn.ModuleList(nn.Linear(a, b) for a, b in zip(dims, dims[1:]))
        self.out = nn.Linear(hidden, out)

    def forward(self, x):
        for lin in self.hidden:
            u = torch.clamp(self.w0 * lin(x), -1.0, 1.0)
            x = 2.0 * u - u * torch.abs(u)
        return self.out(x)


class TanhMLP(nn.Module):
    """PINN-style tanh MLP with Glorot (Xavier) normal init and zero biases."""

    def __init__(self, in_features: int, hidden: int, layers: int, out: int):
        super().__init__()
        dims = [in_features] + [hidden] * layers
        self.hidden = nn.ModuleList(nn.Linear(a, b) for a, b in zip(dims, dims[1:]))
        self.out = nn.Linear(hidden, out)
        with torch.no_grad():
            for lin in list(self.hidden) + [self.out]:
                nn.init.xavier_normal_(lin.weight)
                lin.bias.zero_()

    def forward(self, x):
        for lin in self.hidden:
            x = torch.tanh(lin(x))
        return self.out(x)


# ---------------------------------------------------------------------------
# Spec table
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Family:
    """A built-in family: constructor, defaults (every accepted key) and a summary."""

    build: Callable[..., nn.Module]
    defaults: Dict[str, float]
    summary: str
    floats: Tuple[str, ...] = field(default=())


_COMMON = {"in": 2, "hidden": 256, "layers": 4, "out": 3}

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
        lambda p: QuadMLP(p["in"], p["hidden"], p["layers"], p["out"], p["w0"]),
        {**_COMMON, "w0": 1.0},
        "QuadINR-style piecewise-quadratic activation MLP",
        ("w0",),
    ),
    "tanh": Family(
        lambda p: TanhMLP(p["in"], p["hidden"], p["layers"], p["out"]),
        dict(_COMMON),
        "tanh MLP (PINN style)",
    ),
}


@dataclass
class LoadedModel:
    """A model ready for tracing: the module, its input width and its origin."""

    module: nn.Module
    in_features: int
    spec: str
    source_file: Optional[str] = None


def parse_builtin_spec(spec: str) -> Tuple[str, Dict[str, float]]:
    """`family:k=v,...` -> (family, full parameter dict with defaults filled in)."""
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
        try:
            number = float(value) if key in fam.floats else int(value)
        except ValueError:
            kind = "a number" if key in fam.floats else "an integer"
            raise FrontendError(f"bad model spec '{spec}': {key}={value!r} is not {kind}") from None
        if key not in fam.floats and number < 1:
            raise FrontendError(f"bad model spec '{spec}': {key} must be >= 1, got {number}")
        if key in fam.floats and not number > 0:
            raise FrontendError(f"bad model spec '{spec}': {key} must be > 0, got {number}")
        params[key] = number
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
        inferred = params["in"]
    if in_features is None:
        in_features = inferred
    elif source_file is None and in_features != inferred:
        raise FrontendError(f"--in-features {in_features} contradicts the spec (in={inferred})")
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
