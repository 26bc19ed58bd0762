"""The built-in INR families: one `nn.Module` per paper, each with its seeded init.

Each class docstring cites the paper (and the public code read for the exact
forward), states the forward and lists every assumption: what neither the
paper nor its code fixed, and how it was chosen here. `models.FAMILIES` maps
the spec names to these classes; weights are drawn from torch's global RNG,
which `load_model` seeds. `z` below is always a pre-activation `W h + b`.
"""

from __future__ import annotations

import math
from typing import List, Optional, Sequence

import numpy as np
import torch
from torch import nn


def _uniform_(lin: nn.Linear, bound: float, *, bias: bool = False) -> None:
    """U(±bound) for the weight (and the bias too when `bias`)."""
    with torch.no_grad():
        lin.weight.uniform_(-bound, bound)
        if bias and lin.bias is not None:
            lin.bias.uniform_(-bound, bound)


def _siren_init_(hidden: Sequence[nn.Linear], out: nn.Linear, w0: float, *, bias: bool = False) -> None:
    """SIREN's scheme: first layer U(±1/fan_in), later ones and the output U(±sqrt(6/fan_in)/w0)."""
    for i, lin in enumerate(hidden):
        _uniform_(lin, 1.0 / lin.in_features if i == 0 else math.sqrt(6.0 / lin.in_features) / w0, bias=bias)
    _uniform_(out, math.sqrt(6.0 / out.in_features) / w0, bias=bias)


def _linears(widths: Sequence[int]) -> nn.ModuleList:
    return nn.ModuleList(nn.Linear(a, b) for a, b in zip(widths, widths[1:]))


# ---------------------------------------------------------------------------
# The first five (unchanged: designs and tests depend on their init)
# ---------------------------------------------------------------------------


class Siren(nn.Module):
    """SIREN (Sitzmann et al.): `layers` sine layers sin(w0 (W x + b)), linear out.

    Init: first layer U(±1/fan_in), later layers U(±sqrt(6/fan_in)/w0).
    """

    def __init__(self, in_features: int, hidden: int, layers: int, out: int, w0: float):
        super().__init__()
        self.w0 = float(w0)
        self.hidden = _linears([in_features] + [hidden] * layers)
        self.out = nn.Linear(hidden, out)
        _siren_init_(self.hidden, self.out, self.w0)

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
        self.hidden = _linears([2 * freqs] + [hidden] * layers)
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
        self.hidden = _linears([in_features] + [hidden] * layers)
        self.out = nn.Linear(hidden, out)

    def forward(self, x):
        for lin in self.hidden:
            z = lin(x)
            x = torch.exp(-self.inv_two_sigma_sq * (z * z))
        return self.out(x)


class TanhMLP(nn.Module):
    """PINN-style tanh MLP with Glorot (Xavier) normal init and zero biases."""

    def __init__(self, in_features: int, hidden: int, layers: int, out: int):
        super().__init__()
        self.hidden = _linears([in_features] + [hidden] * layers)
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
# QuadINR and FINER: new activations on a SIREN-shaped MLP
# ---------------------------------------------------------------------------


def quad_activation(z: torch.Tensor) -> torch.Tensor:
    """QuadINR's φ: x² + 2x on (−2, 0], −x² + 2x on (0, 2), extended with period 4.

    r = remainder(z + 2, 4) − 2 ∈ [−2, 2) is z brought into the base period;
    2r − r|r| is both quadratic pieces at once (r ≤ 0: 2r + r²; r > 0: 2r − r²).
    """
    r = torch.remainder(z + 2.0, 4.0) - 2.0
    return 2.0 * r - r * torch.abs(r)


class QuadINR(nn.Module):
    """QuadINR ("QuadINR: Hardware-Efficient Implicit Neural Representations Through
    Quadratic Activation", arXiv 2508.14374): `layers` layers φ(w0 (W x + b)), linear out.

    φ is `quad_activation`, the paper's odd, C¹, period-4 piecewise quadratic
    (Fourier series Σ_{n odd} 32/(π³n³) sin(nπx/2) ≈ 1.032 sin(πx/2) + 0.038 sin(3πx/2) + ...,
    the harmonic content the paper argues for); the network form φ(ω0(Wx + b))
    is the paper's. Assumptions (no public code was found): ω0 is applied to every
    layer, w0 = 30 by default, and the init is SIREN's scheme with that w0 (the
    paper's baseline), biases at PyTorch's default.
    """

    def __init__(self, in_features: int, hidden: int, layers: int, out: int, w0: float):
        super().__init__()
        self.w0 = float(w0)
        self.hidden = _linears([in_features] + [hidden] * layers)
        self.out = nn.Linear(hidden, out)
        _siren_init_(self.hidden, self.out, self.w0)

    def forward(self, x):
        for lin in self.hidden:
            x = quad_activation(self.w0 * lin(x))
        return self.out(x)


def finer_activation(z: torch.Tensor, w0: float) -> torch.Tensor:
    """FINER's variable-periodic activation sin(w0 (|z| + 1) z)."""
    return torch.sin(w0 * (torch.abs(z) + 1.0) * z)


class Finer(nn.Module):
    """FINER (Liu et al., "FINER: Flexible spectral-bias tuning in Implicit NEural
    Representation by Variable-periodic Activation Functions", CVPR 2024, arXiv 2312.02434;
    code github.com/liuzhen0212/FINER, models.py): `layers` layers sin(w0 (|z|+1) z), linear out.

    Init as the code: first layer U(±1/fan_in), later layers and the output
    U(±sqrt(6/fan_in)/w0); biases at PyTorch's default, except the first
    layer's, U(±bias_scale) when `bias_scale` is given (the paper's
    spectral-bias knob; the code's default `first_bias_scale=None` keeps
    PyTorch's). Assumption: the code computes the scale |z|+1 under no_grad
    by default (`scale_req_grad=False`), which changes only training
    gradients; here the scale is part of the function, so the compiled
    derivatives are those of the function the network evaluates.
    """

    def __init__(self, in_features: int, hidden: int, layers: int, out: int, w0: float,
                 bias_scale: Optional[float] = None):
        super().__init__()
        self.w0 = float(w0)
        self.hidden = _linears([in_features] + [hidden] * layers)
        self.out = nn.Linear(hidden, out)
        _siren_init_(self.hidden, self.out, self.w0)
        if bias_scale:
            with torch.no_grad():
                self.hidden[0].bias.uniform_(-float(bias_scale), float(bias_scale))

    def forward(self, x):
        for lin in self.hidden:
            x = finer_activation(lin(x), self.w0)
        return self.out(x)


# ---------------------------------------------------------------------------
# PatchINR: one query, one n x n patch
# ---------------------------------------------------------------------------


class PatchINR(Siren):
    """PatchINR ("PatchINR: Patch-Based Implicit Neural Representations for Efficient and
    Scalable Inference", arXiv 2606.25534): one query predicts a whole n x n patch of C channels.

    Forward: a SIREN (as `Siren`, same init) from the patch's coordinate to
    n·n·C outputs, ordered (row in patch, column in patch, channel), row-major:
    output (i·n + j)·C + c is pixel (i, j) of the patch, channel c.
    `patches.assemble_patches` turns a grid of such predictions into an image.
    Assumptions (no public code was found; the paper fixes only "non-overlapping
    patches, one forward pass per patch", n = 2 as its main setting, and a 0.6%
    parameter overhead, i.e. only the output layer widens): the backbone is
    SIREN with w0 = 30; the query is the patch's normalized position on the
    patch grid (`patches.patch_coords`); the output layout is the one above.
    """

    def __init__(self, in_features: int, hidden: int, layers: int, channels: int, patch: int, w0: float):
        super().__init__(in_features, hidden, layers, patch * patch * channels, w0)
        self.patch, self.channels = int(patch), int(channels)


# ---------------------------------------------------------------------------
# ASMR: multi-resolution levels, hierarchical modulation
# ---------------------------------------------------------------------------


class ASMR(nn.Module):
    """ASMR (Li, Luo, Xu, Wong, "ASMR: Activation-Sharing Multi-Resolution Coordinate
    Networks for Efficient Inference", ICLR 2024, arXiv 2405.12398; code
    github.com/stevolopolis/asmr, models/asmr.py `normal_forward`): one level per layer.

    Input: the L = layers + 1 level coordinates, concatenated, x = [c_0 | c_1 | ... | c_{L-1}]
    (each `in` wide, in [0, 1] for pixels: `asmr_level_coords` decomposes pixel
    indices as the code does). Forward, with h_0 = c_0:
        h_{i+1} = sin(w0 (W_i h_i + b_i + w0 M_i c_{i+1})),  i = 0 .. layers-1,
        y = W_L h_L + b_L
    (M_i: the level-(i+1) modulator, linear without bias). So h_i depends only
    on c_0..c_i: the coarse levels' activations are shared by every pixel of
    their cell, which is what the activation-sharing inference (and
    `asmr_macs_per_pixel`) exploits. Init as the code: SIREN layers U(±1/fan_in)
    (first) and U(±sqrt(6/fan_in)/w0), biases with the same bound, modulators at
    PyTorch's default. `dims[a][l]` is level l's size along axis a; it only
    sets the decomposition and the MAC count (the forward does not need it).
    Assumptions: the level coordinates are the network's inputs, so derivatives
    are taken with respect to them (the pixel-to-level map is piecewise constant,
    so derivatives through it would vanish); the first layer's w0 is w0 (the
    code's configs use 30 for both); linear modulators (the code's default).
    """

    def __init__(self, in_features: int, hidden: int, layers: int, out: int, w0: float,
                 dims: Optional[Sequence[Sequence[int]]] = None):
        super().__init__()
        self.w0, self.dim, self.levels = float(w0), int(in_features), int(layers) + 1
        self.dims: List[List[int]] = [list(map(int, d)) for d in (dims or [[4] * self.levels] * in_features)]
        if len(self.dims) != in_features or any(len(d) != self.levels for d in self.dims):
            raise ValueError(f"dims must be {in_features} lists of {self.levels} level sizes, got {self.dims}")
        self.hidden = _linears([in_features] + [hidden] * layers)
        self.modulators = nn.ModuleList(nn.Linear(in_features, hidden, bias=False) for _ in range(layers))
        self.out = nn.Linear(hidden, out)
        _siren_init_(self.hidden, self.out, self.w0, bias=True)

    def level_features(self, x) -> List[torch.Tensor]:
        """[h_1, ..., h_L]: the hidden activations, h_i a function of c_0..c_i alone."""
        d = self.dim
        h, feats = x[..., :d], []
        for i, (lin, mod) in enumerate(zip(self.hidden, self.modulators)):
            h = torch.sin(self.w0 * (lin(h) + self.w0 * mod(x[..., (i + 1) * d:(i + 2) * d])))
            feats.append(h)
        return feats

    def forward(self, x):
        return self.out(self.level_features(x)[-1])


class SharedASMR(ASMR):
    """ASMR with the activation sharing in its forward (spec `asmr:...,share=1`): on a batch that
    is a block of pixels in hierarchical order, h_i is computed once per level-i cell.

    Hierarchical order sorts pixels by (level-0 digits of every axis, level-1
    digits, ...), so the P_i = Π_a Π_{l>i} dims[a][l] pixels of a level-i cell
    are consecutive. On a block of B such pixels (B divides the image and,
    for each level, divides P_i or is a multiple of it) runs of R_i =
    min(B, P_i) samples share h_i: the forward takes every R_i-th sample's
    coarse coordinates (`x[::R_i]`, lowered to `stream.subsample`), computes
    the layer there, and repeats its output R_i / R_{i+1} times
    (`repeat_interleave`, `stream.repeat`) before adding the finer level's
    modulation. On such a block it equals `ASMR.forward`; on any other batch
    it raises. Its reverse-mode derivatives are not per-sample (the shared
    rows route gradients to the representative samples), so references come
    from `reference_module()`, the plain per-sample forward.
    """

    def cell_pixels(self) -> List[int]:
        """P_i: pixels per level-i cell, for i = 0 .. levels-1 (the last is 1)."""
        return [math.prod(math.prod(ax[lev + 1:]) for ax in self.dims) for lev in range(self.levels)]

    def pixels(self) -> int:
        return math.prod(math.prod(ax) for ax in self.dims)

    def block_error(self, batch: int) -> Optional[str]:
        """Why `batch` is not a block size (None when it is)."""
        cells, n = self.cell_pixels(), self.pixels()
        bad = [p for p in cells if batch % p and p % batch]
        if batch < 1 or n % batch or bad:
            ok = sorted(b for b in range(1, n + 1) if n % b == 0 and all(b % p == 0 or p % b == 0 for p in cells))
            return (f"ASMR sharing (share=1) needs the batch to be a block of the {n}-pixel grid in hierarchical "
                    f"order (cells of {cells} pixels per level), got {batch}; use one of {ok}")
        return None

    def example_coords(self, n: int, block: int, seed: int = 0) -> torch.Tensor:
        """`n` level coordinates (a multiple of `block`): n / block blocks of the grid in
        hierarchical order, each at a block position drawn with `seed`."""
        err = self.block_error(block)
        if err or n % block:
            raise ValueError(err or f"{n} samples are not whole blocks of {block}")
        gen = torch.Generator().manual_seed(seed + 1)
        starts = torch.randint(0, self.pixels() // block, (n // block,), generator=gen) * block
        return asmr_level_coords(hierarchical_pixels(self.dims, (starts[:, None] + torch.arange(block)).reshape(-1)),
                                 self.dims)

    def reference_module(self) -> ASMR:
        """The plain per-sample ASMR with these weights (the reference and PyTorch float32's own results)."""
        plain = ASMR(self.dim, self.out.in_features, len(self.hidden), self.out.out_features, self.w0, self.dims)
        plain.load_state_dict(self.state_dict())
        return plain

    def forward(self, x):
        B, d = x.shape[0], self.dim
        err = self.block_error(B) if B > 1 else None
        if err:
            raise ValueError(err)
        runs = [min(B, p) for p in self.cell_pixels()]  # R_i: consecutive samples sharing h_i
        h = x[::runs[0], :d]
        for i, (lin, mod) in enumerate(zip(self.hidden, self.modulators)):
            z = torch.repeat_interleave(lin(h), runs[i] // runs[i + 1], dim=0)
            h = torch.sin(self.w0 * (z + self.w0 * mod(x[::runs[i + 1], (i + 1) * d:(i + 2) * d])))
        return self.out(h)


def hierarchical_pixels(dims: Sequence[Sequence[int]], order: torch.Tensor) -> torch.Tensor:
    """Positions t in the hierarchical order -> integer pixel indices [len(t), axes].

    t's mixed-radix digits, most significant first, are level 0's digit of
    axis 0, of axis 1, ..., then level 1's, ...; pixel p_a = Σ_l digit_{a,l} ·
    Π_{k>l} dims[a][k] (the inverse of `asmr_level_coords`'s split)."""
    t = order.to(torch.int64)
    levels, axes = len(dims[0]), len(dims)
    pix = torch.zeros(t.shape[0], axes, dtype=torch.int64)
    for lev in reversed(range(levels)):
        for a in reversed(range(axes)):
            digit, t = t % dims[a][lev], torch.div(t, dims[a][lev], rounding_mode="floor")
            pix[:, a] += digit * math.prod(dims[a][lev + 1:])
    return pix


def asmr_level_coords(pixels: torch.Tensor, dims: Sequence[Sequence[int]]) -> torch.Tensor:
    """Integer pixel indices [B, d] -> ASMR's level coordinates [B, L·d] in [0, 1].

    As the code's `decompose_coords` + `normalize_coords`: along axis a (size
    N_a = Π_l dims[a][l]) level l's digit is floor(p / (N_a / C_l)) mod dims[a][l],
    with C_l = Π_{k<=l} dims[a][k] (a mixed-radix split, coarsest first),
    divided by dims[a][l] − 1 (0 where a level has size 1). Ordered level-major:
    [level 0's d coordinates, level 1's, ...], as `ASMR` reads them.
    """
    p = pixels.to(torch.int64)
    levels = len(dims[0])
    out = []
    for lev in range(levels):
        for a, da in enumerate(dims):
            base = math.prod(da) // math.prod(da[:lev + 1])
            digit = torch.div(p[..., a], base, rounding_mode="floor") % da[lev]
            out.append(digit.to(torch.float32) / max(da[lev] - 1, 1))
    return torch.stack(out, dim=-1)


def siren_macs_per_pixel(in_features: int, hidden: int, layers: int, out: int) -> int:
    """MACs of one SIREN query (one per pixel): Σ over the layers of fan_in·fan_out + fan_out.

    A bias counts as one MAC per output, the convention of the ASMR code's
    `my_profiler.py` (so SIREN 2→256×4→3 costs its parameter count, 198,915).
    """
    widths = [in_features] + [hidden] * layers + [out]
    return sum(a * b + b for a, b in zip(widths, widths[1:]))


def asmr_macs_per_pixel(in_features: int, hidden: int, layers: int, out: int,
                        dims: Sequence[Sequence[int]]) -> float:
    """MACs per pixel of ASMR's activation-sharing inference over the whole grid.

    Counted as the ASMR code's `asmr_profiler`, with one difference stated below:
    sine layer i (fan_in·hidden + hidden MACs) runs once per distinct (c_0..c_i),
    i.e. Π_a C_{a,i} times with C_{a,i} = Π_{k<=i} dims[a][k]; the output layer
    once per pixel; modulator i (in·hidden, no bias) once per distinct c_{i+1},
    Π_a dims[a][i+1] times; adding modulation i costs hidden per point of the
    level-(0..i+1) grid, where the sum is formed (the code's profiler counts it
    on the coarser level-(0..i) grid, so this count is a little higher). The w0
    factors fold into the weights and sines are not MACs. Total / Π_a N_a.
    """
    dims = [list(d) for d in dims]
    if len(dims) != in_features or any(len(d) != layers + 1 for d in dims):
        raise ValueError(f"dims must be {in_features} lists of {layers + 1} level sizes, got {dims}")
    cum = np.array([np.cumprod(d) for d in dims], dtype=np.float64)  # [axis, level]
    points = cum.prod(axis=0)  # distinct (c_0..c_l) per level l; points[-1] = pixels
    widths = [in_features] + [hidden] * layers + [out]
    total = sum((widths[i] * widths[i + 1] + widths[i + 1]) * points[i] for i in range(layers))
    total += (hidden * out + out) * points[-1]
    for i in range(layers):
        total += in_features * hidden * math.prod(d[i + 1] for d in dims) + hidden * points[i + 1]
    return float(total / points[-1])


# ---------------------------------------------------------------------------
# SCONE: spatially collaged Fourier bases
# ---------------------------------------------------------------------------

#: The SCONE code's per-layer Fourier frequencies for its 4 mask layers (config/model_config/scone.yaml).
SCONE_OMEGAS = (90.0, 60.0, 30.0, 10.0)


def scone_default_omegas(layers: int) -> List[float]:
    """The code's omegas for 4 layers; other depths sample them piecewise-linearly, first to last."""
    return [float(v) for v in np.interp(np.linspace(0, 3, layers), [0, 1, 2, 3], SCONE_OMEGAS)]


class Scone(nn.Module):
    """SCONE (Li, Liu, Huang, Wong, "Learning Spatially Collaged Fourier Bases for Implicit
    Neural Representation", AAAI 2024, arXiv 2312.17018; code github.com/jasonli0707/scone,
    models/scone.py): Fourier bases collaged by learned spatial masks.

    Forward, with h_0 = x (the coordinates):
        h_{i+1} = sin(ω_i (B_i x + c_i)) ⊙ sin²(w0 (W_i h_i + b_i)),  i = 0 .. layers-1,
        y = W_L h_L + b_L
    (every basis layer reads the input coordinates; the mask layer reads the
    previous output). Init as the code: the mask and output layers SIREN's
    (U(±1/fan_in) first, U(±sqrt(6/fan_in)/w0) later, biases with the same
    bound), the Fourier layers PyTorch's default. Assumptions: `omegas`
    defaults to the code's 90, 60, 30, 10 (4 layers) and is sampled
    piecewise-linearly for other depths; hidden = 256 by default (the code's
    config uses 250).
    """

    def __init__(self, in_features: int, hidden: int, layers: int, out: int, w0: float,
                 omegas: Optional[Sequence[float]] = None):
        super().__init__()
        self.w0 = float(w0)
        self.omegas = [float(o) for o in (omegas or scone_default_omegas(layers))]
        if len(self.omegas) != layers:
            raise ValueError(f"omegas must have {layers} values (one per layer), got {len(self.omegas)}")
        self.bases = nn.ModuleList(nn.Linear(in_features, hidden) for _ in range(layers))
        self.hidden = _linears([in_features] + [hidden] * layers)
        self.out = nn.Linear(hidden, out)
        _siren_init_(self.hidden, self.out, self.w0, bias=True)

    def forward(self, x):
        h = x
        for omega, basis, lin in zip(self.omegas, self.bases, self.hidden):
            mask = torch.sin(self.w0 * lin(h))
            h = torch.sin(omega * basis(x)) * (mask * mask)
        return self.out(h)
