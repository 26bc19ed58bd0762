"""The built-in families against independent re-implementations of their papers' formulas:
QuadINR's periodic quadratic, FINER, PatchINR's patch layout, ASMR's levels, modulation,
activation sharing and MAC count, SCONE's collage; specs, shapes, seeded init, bad keys."""

import math

import numpy as np
import pytest
import torch

from inrarch_mlir.frontend import FAMILIES, FrontendError, load_model, parse_builtin_spec
from inrarch_mlir.frontend.families import (asmr_level_coords, asmr_macs_per_pixel, finer_activation,
                                            quad_activation, siren_macs_per_pixel)
from inrarch_mlir.frontend.patches import assemble_patches, patch_coords, split_patches

NEW = ["quad", "finer", "patch", "asmr", "scone"]
SMALL = {
    "quad": "quad:in=2,hidden=8,layers=2,out=3,w0=30",
    "finer": "finer:in=2,hidden=8,layers=2,out=3,w0=30",
    "patch": "patch:in=2,hidden=8,layers=2,out=3,patch=2,w0=30",
    "asmr": "asmr:in=2,hidden=8,layers=2,out=3,w0=30,base=3",
    "scone": "scone:in=2,hidden=8,layers=2,out=3,w0=30,omegas=90/10",
}


def _rand(n, width, seed=0):
    return torch.rand(n, width, generator=torch.Generator().manual_seed(seed)) * 2 - 1


# --- specs, shapes, init ----------------------------------------------------


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_bare_name_is_the_full_default_spec(family):
    _, params = parse_builtin_spec(family)
    full = family + ":" + ",".join(f"{k}={'/'.join(map(str, v)) if isinstance(v, tuple) else v}"
                                   for k, v in params.items() if v is not None)
    a, b = load_model(family).module.state_dict(), load_model(full).module.state_dict()
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


@pytest.mark.parametrize("family", NEW)
def test_shapes_by_bare_name_and_small_spec(family):
    for spec in (family, SMALL[family]):
        m = load_model(spec)
        fam, params = parse_builtin_spec(spec)
        y = m.module(_rand(5, m.in_features))
        assert m.in_features == FAMILIES[fam].in_width(params)
        assert y.shape == (5, FAMILIES[fam].out_width(params))
    assert load_model("patch").module(_rand(1, 2)).shape == (1, 2 * 2 * 3)  # the paper's 2x2, RGB
    assert load_model("asmr").in_features == 2 * 5  # 4 sine layers -> 5 levels of (x, y)


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_seeded_init_is_deterministic(family):
    spec = SMALL.get(family, f"{family}:hidden=8,layers=2")
    a = load_model(spec, seed=1).module.state_dict()
    b = load_model(spec, seed=1).module.state_dict()
    c = load_model(spec, seed=2).module.state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert any(not torch.equal(a[k], c[k]) for k in a)


@pytest.mark.parametrize("spec, needle", [
    ("quad:foo=1", "unknown key 'foo' for quad"),
    ("patch:patch=0", "patch must be >= 1"),
    ("asmr:base=x", "base='x' is not an integer"),
    ("finer:bias_scale=-1", "bias_scale must be > 0"),
    ("scone:omegas=9/x", "omegas='9/x' is not '/'-separated numbers"),
    ("scone:omegas=9/0/1/2", "every value of omegas must be > 0"),
    ("scone:omegas=90/60", "omegas has 2 value(s), expected one per layer (layers=4)"),
])
def test_bad_keys_are_one_line_errors(spec, needle):
    with pytest.raises(FrontendError) as info:
        load_model(spec)
    text = str(info.value)
    assert needle in text and "\n" not in text and text.startswith("error: ")


def test_asmr_input_width_is_checked():
    with pytest.raises(FrontendError, match="contradicts the spec .asmr takes 10 input coordinates"):
        load_model("asmr", in_features=2)


# --- QuadINR ---------------------------------------------------------------


def _phi_paper(x):
    """The paper's definition read literally: on each period (4k - 2, 4k + 2], the two pieces of t = x - 4k."""
    x = np.asarray(x, dtype=np.float64)
    k = np.ceil((x - 2) / 4)  # the k with 4k - 2 < x <= 4k + 2
    t = x - 4 * k
    return np.where(t <= 0, t * t + 2 * t, -t * t + 2 * t)


def test_quad_activation_matches_the_piecewise_definition_on_several_periods():
    x = np.linspace(-14.0, 14.0, 2801)  # seven periods, period boundaries (4k + 2) included
    got = quad_activation(torch.tensor(x, dtype=torch.float64)).numpy()
    np.testing.assert_allclose(got, _phi_paper(x), atol=1e-12)
    for v, want in [(0, 0), (1, 1), (-1, -1), (2, 0), (-2, 0), (3, -1), (5, 1), (-0.5, -0.75), (0.5, 0.75)]:
        assert float(quad_activation(torch.tensor(float(v), dtype=torch.float64))) == pytest.approx(want)


def test_quad_activation_is_periodic_odd_and_c1():
    x = torch.linspace(-9.9, 9.9, 997, dtype=torch.float64, requires_grad=True)
    y = quad_activation(x)
    for k in (-2, -1, 1, 3):
        assert torch.allclose(quad_activation(x + 4 * k), y, atol=1e-12)
    assert torch.allclose(quad_activation(-x), -y, atol=1e-12)
    (grad,) = torch.autograd.grad(y.sum(), x)
    t = x.detach() - 4 * torch.ceil((x.detach() - 2) / 4)
    assert torch.allclose(grad, torch.where(t <= 0, 2 * t + 2, -2 * t + 2), atol=1e-12)  # the paper's φ'


def test_quad_activation_harmonics_are_the_papers_fourier_series():
    x = torch.linspace(-2, 2, 400001, dtype=torch.float64)
    phi = quad_activation(x)
    for n in range(1, 7):
        b_n = 0.5 * torch.trapezoid(phi * torch.sin(n * math.pi * x / 2), x).item()  # (2/T) ∫ over a period
        assert b_n == pytest.approx(32 / (math.pi ** 3 * n ** 3) if n % 2 else 0.0, abs=1e-9)


def test_quad_network_is_phi_of_w0_times_each_layer():
    m = load_model("quad:hidden=16,layers=3,w0=30").module.double()
    x = _rand(7, 2).double()
    h = x.numpy()
    for lin in m.hidden:
        h = _phi_paper(30 * (h @ lin.weight.detach().numpy().T + lin.bias.detach().numpy()))
    want = h @ m.out.weight.detach().numpy().T + m.out.bias.detach().numpy()
    np.testing.assert_allclose(m(x).detach().numpy(), want, atol=1e-9)
    assert m.hidden[0].weight.abs().max() <= 0.5 and m.hidden[1].weight.abs().max() <= (6 / 16) ** 0.5 / 30


# --- FINER -----------------------------------------------------------------


def test_finer_activation_and_network():
    z = np.linspace(-3, 3, 601)
    got = finer_activation(torch.tensor(z), 30.0).numpy()
    np.testing.assert_allclose(got, np.sin(30 * (np.abs(z) + 1) * z), atol=1e-12)
    m = load_model("finer:hidden=16,layers=2,w0=20").module.double()
    x = _rand(6, 2).double()
    h = x.numpy()
    for lin in m.hidden:
        zz = h @ lin.weight.detach().numpy().T + lin.bias.detach().numpy()
        h = np.sin(20 * (np.abs(zz) + 1) * zz)
    want = h @ m.out.weight.detach().numpy().T + m.out.bias.detach().numpy()
    np.testing.assert_allclose(m(x).detach().numpy(), want, atol=1e-9)


def test_finer_first_bias_scale():
    wide = load_model("finer:hidden=256,bias_scale=20").module.hidden[0].bias
    default = load_model("finer:hidden=256").module.hidden[0].bias
    assert 5 < wide.abs().max() <= 20 and default.abs().max() <= 1 / 2 ** 0.5


# --- PatchINR --------------------------------------------------------------


def _g(r, c):
    """A known RGB image as a function of continuous pixel position."""
    return np.stack([np.sin(0.7 * r) + 0.1 * c, np.cos(0.3 * c) * r, 0.01 * r * c], axis=-1)


@pytest.mark.parametrize("n, rows, cols", [(2, 3, 4), (3, 2, 2), (1, 2, 3)])
@pytest.mark.parametrize("kind", ["numpy", "torch"])
def test_patchwise_samples_reassemble_to_the_pixelwise_image(n, rows, cols, kind):
    rr, cc = np.meshgrid(np.arange(rows * n), np.arange(cols * n), indexing="ij")
    pixelwise = _g(rr, cc)
    preds = np.zeros((rows * cols, n * n * 3))
    for a in range(rows):
        for b in range(cols):  # one "query" per patch: its n x n pixels, (i, j, channel) order
            for i in range(n):
                for j in range(n):
                    preds[a * cols + b, (i * n + j) * 3:(i * n + j + 1) * 3] = _g(a * n + i, b * n + j)
    if kind == "torch":
        preds = torch.tensor(preds)
    img = assemble_patches(preds, (rows, cols), n)
    assert type(img) is type(preds) and tuple(img.shape) == (rows * n, cols * n, 3)
    np.testing.assert_allclose(np.asarray(img), pixelwise)
    back = split_patches(img, n)
    np.testing.assert_allclose(np.asarray(back), np.asarray(preds))


def test_patch_model_predicts_a_patch_grid_into_an_image():
    m = load_model("patch:hidden=16,layers=2,out=3,patch=2").module
    q = torch.from_numpy(patch_coords(3, 5))
    assert q.shape == (15, 2) and float(q.min()) == -1 and float(q.max()) == 1
    assert torch.equal(q[1], torch.tensor([-1.0, -0.5]))  # row-major: the column moves first
    img = assemble_patches(m(q), (3, 5), 2)
    assert img.shape == (6, 10, 3)
    with pytest.raises(ValueError, match="expected"):
        assemble_patches(m(q), (4, 5), 2)


# --- ASMR ------------------------------------------------------------------


def _code_level_coords(p, dims):
    """The ASMR code's decompose_coords + normalize_coords, for one pixel, in plain integers."""
    out = []
    for lev in range(len(dims[0])):
        for a, da in enumerate(dims):
            base = math.prod(da) // math.prod(da[:lev + 1])
            out.append((p[a] // base) % da[lev] / max(da[lev] - 1, 1))
    return out


def test_asmr_level_coords_decompose_pixels_as_the_code_does():
    dims = [[2, 3, 4], [3, 1, 2]]
    pix = torch.tensor([[r, c] for r in range(24) for c in range(6)])
    got = asmr_level_coords(pix, dims)
    want = torch.tensor([_code_level_coords(p.tolist(), dims) for p in pix])
    assert torch.allclose(got, want.float())
    assert len({tuple(v) for v in got.tolist()}) == 24 * 6  # the decomposition is one-to-one


def _asmr_reference(m, x):
    """The forward written from the paper/code: sin(w0 (W h + b + w0 M c_{i+1})), per level."""
    d = m.dim
    c = [x[:, i * d:(i + 1) * d] for i in range(m.levels)]
    h = c[0]
    for i, lin in enumerate(m.hidden):
        z = h @ lin.weight.T + lin.bias + m.w0 * (c[i + 1] @ m.modulators[i].weight.T)
        h = torch.sin(m.w0 * z)
    return h @ m.out.weight.T + m.out.bias


def test_asmr_forward_and_coarse_levels_depend_only_on_coarse_coordinates():
    m = load_model("asmr:hidden=16,layers=3,w0=30").module.double()
    x = _rand(9, m.dim * m.levels).double()
    assert torch.allclose(m(x), _asmr_reference(m, x), atol=1e-9)
    feats = m.level_features(x)
    for i in range(3):  # h_{i+1} reads c_0..c_{i+1}; perturbing finer levels leaves it unchanged
        y = x.clone()
        y[:, (i + 2) * 2:] += 0.37
        assert torch.equal(m.level_features(y)[i], feats[i])
        if i + 2 < m.levels:
            assert not torch.allclose(m.level_features(y)[i + 1], feats[i + 1])
    assert m.hidden[0].bias.abs().max() <= 0.5 and m.hidden[1].bias.abs().max() <= (6 / 16) ** 0.5 / 30


def _shared_inference(m, dims):
    """The code's activation-sharing forward for 2-D data: each layer's linear on its level's
    coarse grid, upsampled (each coarse cell repeated over its children) and shifted by the
    next level's modulation (tiled over the coarse cells). Returns (image, MACs)."""
    def grid(lev):  # level lev's normalized coordinates, [dims[0][lev], dims[1][lev], 2]
        axes = [torch.linspace(0, 1, dims[a][lev], dtype=torch.float64) for a in range(2)]
        return torch.stack(torch.meshgrid(*axes, indexing="ij"), -1)

    h, macs = grid(0), 0
    for i, lin in enumerate(m.hidden):
        z = h @ lin.weight.T + lin.bias
        macs += h.shape[0] * h.shape[1] * (lin.in_features + 1) * lin.out_features
        sy, sx = dims[0][i + 1], dims[1][i + 1]
        z = z.repeat_interleave(sy, 0).repeat_interleave(sx, 1)
        shift = m.w0 * (grid(i + 1) @ m.modulators[i].weight.T)
        macs += sy * sx * 2 * lin.out_features
        z = z + shift.repeat(z.shape[0] // sy, z.shape[1] // sx, 1)
        macs += z.shape[0] * z.shape[1] * lin.out_features
        h = torch.sin(m.w0 * z)
    macs += h.shape[0] * h.shape[1] * (m.out.in_features + 1) * m.out.out_features
    return h @ m.out.weight.T + m.out.bias, macs


def test_asmr_shared_inference_equals_per_pixel_forward_and_its_mac_count():
    dims = [[2, 3, 2], [3, 2, 2]]  # a 12 x 12 image
    m = load_model("asmr:hidden=8,layers=2,out=3").module.double()
    shared, macs = _shared_inference(m, dims)
    pix = torch.tensor([[r, c] for r in range(12) for c in range(12)])
    per_pixel = m(asmr_level_coords(pix, dims).double()).reshape(12, 12, 3)
    assert torch.allclose(shared, per_pixel, atol=1e-9)
    assert asmr_macs_per_pixel(2, 8, 2, 3, dims) == pytest.approx(macs / 144)
    assert asmr_macs_per_pixel(2, 8, 2, 3, dims) < siren_macs_per_pixel(2, 8, 2, 3)


def _code_profiler(n_layers, dim_in, hidden, dim_out, dims):
    """The ASMR code's my_profiler.asmr_profiler (linear modulators), re-derived."""
    d = np.array(dims)
    pixels = np.prod(d.prod(axis=1))
    mac = 0.0
    widths = [dim_in] + [hidden] * (n_layers - 1) + [dim_out]
    for i in range(n_layers):
        mac += (widths[i] * widths[i + 1] + widths[i + 1]) * np.prod(d[:, :i + 1]) / pixels
    for i in range(n_layers - 1):
        mac += dim_in * hidden * np.prod(d[:, i + 1]) / pixels + hidden * np.prod(d[:, :i + 1]) / pixels
    return mac


def test_asmr_macs_against_siren_and_the_codes_profiler():
    assert siren_macs_per_pixel(2, 256, 4, 3) == 198_915  # the INR-Arch SIREN's parameter count
    dims = [[4, 4, 4, 8], [4, 4, 4, 8]]  # the code's ASMR-4 (512 x 512, 4 layers of 256)
    ours, theirs = asmr_macs_per_pixel(2, 256, 3, 1, dims), _code_profiler(4, 2, 256, 1, dims)
    extra = 256 * sum(np.prod(np.cumprod(dims, axis=1)[:, i + 1]) - np.prod(np.cumprod(dims, axis=1)[:, i])
                      for i in range(3)) / 512 ** 2  # the modulation adds, counted on the finer grid
    assert ours == pytest.approx(theirs + extra)
    assert siren_macs_per_pixel(2, 256, 3, 1) / ours > 80  # SIREN of the same depth and width: 82x
    default = asmr_macs_per_pixel(2, 256, 4, 3, [[4] * 5] * 2)  # the `asmr` defaults, 1024 x 1024
    assert 5_000 < default < 6_000


# --- SCONE -----------------------------------------------------------------


def test_scone_forward_is_bases_times_squared_masks():
    m = load_model("scone:hidden=16,layers=3,omegas=50/20/5").module.double()
    x = _rand(8, 2).double()
    h = x
    for omega, basis, lin in zip([50, 20, 5], m.bases, m.hidden):
        b = torch.sin(omega * (x @ basis.weight.T + basis.bias))
        s = torch.sin(30 * (h @ lin.weight.T + lin.bias))
        h = b * s ** 2
    assert torch.allclose(m(x), h @ m.out.weight.T + m.out.bias, atol=1e-9)


def test_scone_default_omegas_are_the_codes():
    assert load_model("scone").module.omegas == [90.0, 60.0, 30.0, 10.0]
    assert load_model("scone:layers=2").module.omegas == [90.0, 10.0]
    assert load_model("scone:layers=7").module.omegas[0] == 90 and len(load_model("scone:layers=7").module.omegas) == 7
