"""An INSP-Net-style editing head compiled with its INR, in C simulation: `python examples/insp_edit.py`.

INSP-Net (Xu et al., NeurIPS 2022) edits a signal through its INR: a small
MLP reads the INR's value and derivatives at a point and outputs the edited
value there. Here the edit is a Gaussian blur of SIGMA pixels (target =
the image convolved with it). Sharpening was tried and dropped: unsharp
masking amplifies the SIREN's own fitting error (31 dB), and even the best
linear map of these features stays below the unedited image's PSNR. The
head (`insp_head.py`: 4 -> 32 -> 32 -> 1, ReLU) is trained on the camera
SIREN's float64 derivatives (value, gradient, Laplacian) over half of the
image's 16x16 blocks (a checkerboard; the other half is held out), then
compiled with the SIREN into ONE dataflow design (`--outputs
value,gradient,laplacian --head ...`) and run by `inrarch csim --coords`
over every pixel. The PNG shows the input, the target, PyTorch's head
output and the csim output, with PSNRs against the target.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

import common
import insp_head

OUTPUTS = "value,gradient,laplacian"
SIGMA = 1.0
BLOCK = 16


def blur(image: np.ndarray) -> np.ndarray:
    """The edit's target: `image` convolved with a Gaussian of SIGMA pixels (edges reflected)."""
    from skimage.filters import gaussian

    return gaussian(image.astype(np.float64), sigma=SIGMA, mode="reflect")


def checkerboard(size: int, block: int) -> np.ndarray:
    """[size * size] bool, True on the training half of a block checkerboard."""
    r = np.arange(size) // block
    return (((r[:, None] + r[None, :]) % 2) == 0).reshape(-1)


def features(ref: common.Derivatives) -> np.ndarray:
    """[N, 4] float64 head inputs in `--outputs value,gradient,laplacian` order."""
    return np.concatenate([ref.value[:, :1], ref.jacobian[:, 0, :], ref.laplacian[:, :1]], axis=1)


def train_head(x: np.ndarray, y: np.ndarray, steps: int, seed: int = 0):
    """The head fitted to y [N] from the features x [N, 4]; inputs are standardized while
    training and the standardization folded into the first Linear afterwards."""
    import torch

    torch.manual_seed(seed)
    head = insp_head.architecture().double()
    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-12
    xs = torch.from_numpy((x - mean) / std)
    yt = torch.from_numpy(y.reshape(-1, 1))
    common.train(head, lambda: ((head(xs) - yt) ** 2).mean(), steps, 3e-3, "train head")
    with torch.no_grad():
        first = head[0]
        w = first.weight / torch.from_numpy(std)
        first.bias -= w @ torch.from_numpy(mean)
        first.weight.copy_(w)
    return head.float().eval()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    common.add_steps_argument(parser, "head training steps (default 1500; 20 with --smoke)")
    common.add_common_arguments(parser)
    args = parser.parse_args(argv)

    def body():
        import torch

        workdir, results = common.directories(args)
        spec, weights, module, image = common.camera_siren(args.smoke, args.refit, workdir)
        size = image.shape[0]
        coords = common.pixel_grid(size)
        target = blur(image).reshape(-1)
        ref = common.derivatives_torch(module, coords)
        x = features(ref)
        train_mask = checkerboard(size, max(1, size // 8) if args.smoke else BLOCK)

        head_path = workdir / "insp_blur_head_smoke.pt" if args.smoke else insp_head.HEAD_WEIGHTS
        if args.smoke or args.refit or not head_path.is_file():
            steps = args.steps or (20 if args.smoke else 1500)
            print(f"training the head on {int(train_mask.sum()):,} pixels ({steps} Adam steps) ...", flush=True)
            head = train_head(x[train_mask], target[train_mask], steps)
            common.save_weights(head, head_path, {"architecture": "insp_head.architecture()", "inputs": OUTPUTS,
                                                  "siren": spec, "edit": f"Gaussian blur sigma={SIGMA} px",
                                                  "steps": steps})
            print(f"wrote {head_path}")
        # The CLI's route (a factory file) for the committed head; the module itself for --smoke.
        head_arg = head if args.smoke else f"{common.HERE / 'insp_head.py'}:blur_head"
        head_module = head if args.smoke else insp_head.blur_head()

        batch = common.SMOKE_BATCH if args.smoke else common.BATCH
        design = workdir / "insp_edit"
        shown = "(the trained module)" if args.smoke else "examples/insp_head.py:blur_head"
        print(f"$ inrarch compile {spec} --weights {weights} --outputs {OUTPUTS} --head {shown} --batch {batch} "
              f"-o {design}")
        report = common.compile_design(design, spec, weights=weights, outputs=OUTPUTS, batch=batch, head=head_arg)
        got = common.csim_over(design, coords)["head0"].astype(np.float64)
        x32 = features(common.derivatives_torch(module, coords, "float32")).astype(np.float32)
        with torch.no_grad():
            torch_f32 = head_module.float()(torch.from_numpy(x32)).double().numpy()[:, 0]
            torch_out = head_module.double()(torch.from_numpy(x)).numpy()[:, 0]

        held = ~train_mask

        def db(a, b, mask=slice(None)):
            return common.psnr(a[mask], b[mask], peak=1.0)

        figures = {"image": f"camera {size}x{size}", "model": spec, "outputs": OUTPUTS, "batch": batch,
                   "edit": f"Gaussian blur sigma={SIGMA} px",
                   "input_vs_target_psnr_db": db(image.reshape(-1), target),
                   "siren_value_vs_target_psnr_db": db(ref.value[:, 0], target),
                   "torch_head_vs_target_psnr_db": db(torch_out, target),
                   "torch_head_vs_target_heldout_psnr_db": db(torch_out, target, held),
                   "csim_vs_target_psnr_db": db(got, target),
                   "csim_vs_target_heldout_psnr_db": db(got, target, held),
                   "csim_vs_torch_psnr_db": db(got, torch_out),
                   "torch_f32_vs_torch_psnr_db": db(torch_f32, torch_out),
                   "csim_vs_torch_max_abs_err": float(np.abs(got - torch_out).max()),
                   "kernels": report["kernels"], "fifos": report["fifos"],
                   "macs_per_sample": report["macs_per_sample"], "cycles_per_batch": report["cycles"],
                   "dsp": report["dsp"]}
        print(f"PSNR vs the target: input {figures['input_vs_target_psnr_db']:.2f} dB, SIREN value "
              f"{figures['siren_value_vs_target_psnr_db']:.2f} dB, PyTorch head "
              f"{figures['torch_head_vs_target_psnr_db']:.2f} dB (held-out blocks "
              f"{figures['torch_head_vs_target_heldout_psnr_db']:.2f}), csim "
              f"{figures['csim_vs_target_psnr_db']:.2f} dB; against the PyTorch float64 head: csim "
              f"{figures['csim_vs_torch_psnr_db']:.1f} dB, PyTorch float32 "
              f"{figures['torch_f32_vs_torch_psnr_db']:.1f} dB")

        def img(v):
            return np.clip(np.asarray(v).reshape(size, size), 0, 1)

        panels = [
            common.Panel(f"input ({figures['input_vs_target_psnr_db']:.1f} dB)", image, 0, 1),
            common.Panel(f"target: Gaussian blur, {SIGMA:g} px", img(target), 0, 1),
            common.Panel(f"head, PyTorch ({figures['torch_head_vs_target_psnr_db']:.1f} dB)", img(torch_out), 0, 1),
            common.Panel(f"head, csim ({figures['csim_vs_target_psnr_db']:.1f} dB; "
                         f"{figures['csim_vs_torch_psnr_db']:.0f} dB vs PyTorch)", img(got), 0, 1),
        ]
        png = common.save_figure(results / "insp_edit.png", panels,
                                 "INSP-style blurring head over a SIREN's value, gradient and Laplacian, "
                                 "one design (PSNR vs the target)")
        common.write_json(results / "insp_edit.json", figures)
        print(f"wrote {png} and {results / 'insp_edit.json'}")

    return common.run_main(body)


if __name__ == "__main__":
    sys.exit(main())
