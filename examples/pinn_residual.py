"""A PINN's PDE residual as one compiled output, in C simulation: `python examples/pinn_residual.py`.

The heat equation u_t = ALPHA * u_xx on x in [-1, 1], t in [0, 1], with
u(x, 0) = sin(pi x) and u(+-1, t) = 0 (exact solution exp(-ALPHA pi^2 t)
sin(pi x)). A tanh PINN (`tanh:in=2,hidden=32,layers=3,out=1`, inputs x0 = x,
x1 = t) is trained for about a CPU minute (weights committed in
`examples/weights/heat_pinn.pt`), then compiled with
`--outputs "value,res=y0_x1-0.1*y0_x0x0"`: the residual u_t - ALPHA u_xx
is one output of the design, a linear combination of two partials, so
the design carries only the Taylor rows they need. `inrarch csim --coords`
runs it over a 128x128 (x, t) grid; the PNG shows u and the residual from
csim beside the exact u and PyTorch's float64 `torch.func` residual.
"""

from __future__ import annotations

import argparse
import math
import sys

import numpy as np

import common

ALPHA = 0.1
SPEC = "tanh:in=2,hidden=32,layers=3,out=1"
SMOKE_SPEC = "tanh:in=2,hidden=8,layers=2,out=1"
WEIGHTS = common.WEIGHTS / "heat_pinn.pt"
OUTPUTS = f"value,res=y0_x1-{ALPHA:g}*y0_x0x0"
GRID = 128
#: (x, t) domain: x0 = x in [-1, 1], x1 = t in [0, 1].
LO, HI = (-1.0, 0.0), (1.0, 1.0)


def exact(coords: np.ndarray) -> np.ndarray:
    """The heat equation's solution at [N, 2] (x, t) coordinates."""
    x, t = coords[:, 0].astype(np.float64), coords[:, 1].astype(np.float64)
    return np.exp(-ALPHA * math.pi ** 2 * t) * np.sin(math.pi * x)


def residual(ref: common.Derivatives) -> np.ndarray:
    """u_t - ALPHA u_xx [N] from float64 derivatives (x0 = x, x1 = t)."""
    return ref.jacobian[:, 0, 1] - ALPHA * ref.hessian[:, 0, 0, 0]


def train_pinn(spec: str, steps: int, points: int, seed: int = 0):
    """The PINN trained on the PDE residual at `points` random collocation points plus the
    initial and boundary conditions (autograd with create_graph for u_t and u_xx)."""
    import torch

    torch.manual_seed(seed)
    model = common.build_model(spec, seed).train()
    lo, hi = torch.tensor(LO), torch.tensor(HI)
    inside = (lo + (hi - lo) * torch.rand(points, 2)).requires_grad_(True)
    side = max(8, points // 8)
    x_ic = torch.stack([torch.linspace(-1, 1, side), torch.zeros(side)], 1)
    t_bc = torch.rand(side)
    x_bc = torch.stack([torch.where(torch.arange(side) % 2 == 0, -1.0, 1.0), t_bc], 1)

    def loss():
        u = model(inside)
        (du,) = torch.autograd.grad(u.sum(), inside, create_graph=True)
        (d2u,) = torch.autograd.grad(du[:, 0].sum(), inside, create_graph=True)
        res = du[:, 1] - ALPHA * d2u[:, 0]
        ic = model(x_ic)[:, 0] - torch.sin(math.pi * x_ic[:, 0])
        bc = model(x_bc)[:, 0]
        return (res ** 2).mean() + 10.0 * (ic ** 2).mean() + 10.0 * (bc ** 2).mean()

    common.train(model, loss, steps, 3e-3, "train PINN")
    return model.eval()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    common.add_steps_argument(parser, "Adam steps (default 1500; 20 with --smoke)")
    common.add_common_arguments(parser)
    args = parser.parse_args(argv)

    def body():
        workdir, results = common.directories(args)
        spec = SMOKE_SPEC if args.smoke else SPEC
        path = workdir / "heat_pinn_smoke.pt" if args.smoke else WEIGHTS
        if args.smoke or args.refit or not path.is_file():
            steps = args.steps or (20 if args.smoke else 1500)
            points = 64 if args.smoke else 2048
            print(f"training the PINN {spec} ({steps} Adam steps, {points} collocation points) ...", flush=True)
            model = train_pinn(spec, steps, points)
            common.save_weights(model, path, {"spec": spec, "pde": f"u_t = {ALPHA:g} u_xx, u(x,0) = sin(pi x), "
                                              "u(+-1,t) = 0", "inputs": "x0 = x in [-1, 1], x1 = t in [0, 1]",
                                              "steps": steps, "collocation_points": points})
            print(f"wrote {path}")
        model = common.load_weights(spec, path)
        grid = 8 if args.smoke else GRID
        coords = common.pixel_grid(grid, grid, LO, HI)

        batch = common.SMOKE_BATCH if args.smoke else common.BATCH
        design = workdir / "pinn_residual"
        print(f"$ inrarch compile {spec} --weights {path} --outputs \"{OUTPUTS}\" --batch {batch} -o {design}")
        report = common.compile_design(design, spec, weights=path, outputs=OUTPUTS, batch=batch)
        got = common.csim_over(design, coords)
        ref = common.derivatives_torch(model, coords)
        f32 = common.derivatives_torch(model, coords, "float32")

        u_csim, r_csim = got["y0"].astype(np.float64), got["res"].astype(np.float64)
        u_torch, r_torch = ref.value[:, 0], residual(ref)
        u_exact = exact(coords)
        figures = {"model": spec, "pde": f"u_t - {ALPHA:g} u_xx", "outputs": OUTPUTS, "grid": f"{grid}x{grid}",
                   "batch": batch, "residual_psnr_db": common.psnr(r_csim, r_torch),
                   "torch_f32_residual_psnr_db": common.psnr(residual(f32), r_torch),
                   "residual_max_abs_err": float(np.abs(r_csim - r_torch).max()),
                   "residual_rms_torch": float(np.sqrt(np.mean(r_torch ** 2))),
                   "value_psnr_db": common.psnr(u_csim, u_torch),
                   "pinn_vs_exact_rel_l2": float(np.linalg.norm(u_torch - u_exact) / np.linalg.norm(u_exact)),
                   "kernels": report["kernels"], "fifos": report["fifos"],
                   "macs_per_sample": report["macs_per_sample"], "cycles_per_batch": report["cycles"],
                   "dsp": report["dsp"]}
        print(f"residual u_t - {ALPHA:g} u_xx: csim vs PyTorch float64 PSNR {figures['residual_psnr_db']:.1f} dB "
              f"(PyTorch float32 {figures['torch_f32_residual_psnr_db']:.1f} dB; max |diff| "
              f"{figures['residual_max_abs_err']:.2e}, residual RMS {figures['residual_rms_torch']:.2e}); "
              f"u: {figures['value_psnr_db']:.1f} dB; the PINN against the exact solution: relative L2 "
              f"{figures['pinn_vs_exact_rel_l2']:.2e}")

        def img(v):
            return np.asarray(v).reshape(grid, grid)

        r_hi = common.robust_range(r_torch, percentile=99.0)
        panels = [
            common.Panel("exact u (rows x, columns t)", img(u_exact), -1, 1, "RdBu_r"),
            common.Panel(f"PINN u, csim (rel. L2 {figures['pinn_vs_exact_rel_l2']:.1e})", img(u_csim), -1, 1,
                         "RdBu_r"),
            common.Panel("residual, PyTorch float64", img(r_torch), -r_hi, r_hi, "RdBu_r"),
            common.Panel(f"residual, csim ({figures['residual_psnr_db']:.1f} dB)", img(r_csim), -r_hi, r_hi,
                         "RdBu_r"),
        ]
        png = common.save_figure(results / "pinn_residual.png", panels,
                                 f"Heat-equation residual u_t - {ALPHA:g} u_xx of a tanh PINN as one design output "
                                 f"(colour range +-{r_hi:.2g})")
        common.write_json(results / "pinn_residual.json", figures)
        print(f"wrote {png} and {results / 'pinn_residual.json'}")

    return common.run_main(body)


if __name__ == "__main__":
    sys.exit(main())
