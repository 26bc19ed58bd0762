"""Edge detection by the INR's derivatives, in C simulation: `python examples/edge_detect.py`.

The camera SIREN (`fit_siren.py`'s committed weights) compiled with
`--outputs gradient,laplacian` (Taylor mode carries the Laplacian as one
collapsed row), run by `inrarch csim --coords` over every pixel of the
128x128 image in tiles of the design batch. The edge maps, the gradient
magnitude |grad f| and the Laplacian of f, are computed from the csim
outputs and from PyTorch's float64 `torch.func` derivatives of the same
model; the PNG shows both with their PSNR (peak: the PyTorch float64 map's
range), and PyTorch float32's own PSNR is printed beside it for scale.
`--precision fixed<32,10>` compiles the fixed-point design instead.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

import common

OUTPUTS = "gradient,laplacian"


def edge_maps(gx: np.ndarray, gy: np.ndarray, lap: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """(|grad f|, Laplacian) as [size, size] images, in grey levels per pixel (per pixel^2): the
    coordinates step 2 / (size - 1) per pixel."""
    step = 2.0 / (size - 1)
    magnitude = np.hypot(np.asarray(gx, np.float64), np.asarray(gy, np.float64)) * step
    return magnitude.reshape(size, size), (np.asarray(lap, np.float64) * step * step).reshape(size, size)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--precision", default="float", help="float (default) or fixed<W,I>, e.g. fixed<32,10>")
    common.add_common_arguments(parser)
    args = parser.parse_args(argv)

    def body():
        workdir, results = common.directories(args)
        spec, weights, module, image = common.camera_siren(args.smoke, args.refit, workdir)
        size = image.shape[0]
        batch = common.SMOKE_BATCH if args.smoke else common.BATCH
        name = "edge_detect" if args.precision == "float" else "edge_detect_fixed"
        design = workdir / name
        precision = "" if args.precision == "float" else f" --precision '{args.precision}'"
        print(f"$ inrarch compile {spec} --weights {weights} --outputs {OUTPUTS} --batch {batch}{precision} "
              f"-o {design}")
        report = common.compile_design(design, spec, weights=weights, outputs=OUTPUTS, batch=batch,
                                       precision=args.precision)

        coords = common.pixel_grid(size)
        t0 = time.perf_counter()
        got = common.csim_over(design, coords)
        csim_seconds = time.perf_counter() - t0
        ref = common.derivatives_torch(module, coords)
        f32 = common.derivatives_torch(module, coords, "float32")

        mag_csim, lap_csim = edge_maps(got["y0_x0"], got["y0_x1"], got["laplacian"], size)
        mag_torch, lap_torch = edge_maps(ref.jacobian[:, 0, 0], ref.jacobian[:, 0, 1], ref.laplacian[:, 0], size)
        mag_f32, lap_f32 = edge_maps(f32.jacobian[:, 0, 0], f32.jacobian[:, 0, 1], f32.laplacian[:, 0], size)
        fit = ref.value[:, 0].reshape(size, size)
        figures = {"image": f"camera {size}x{size}", "model": spec, "outputs": OUTPUTS, "batch": batch,
                   "precision": args.precision,
                   "pixels": int(size * size), "fit_psnr_db": common.psnr(fit, image, peak=1.0),
                   "gradient_magnitude_psnr_db": common.psnr(mag_csim, mag_torch),
                   "laplacian_psnr_db": common.psnr(lap_csim, lap_torch),
                   "torch_f32_gradient_magnitude_psnr_db": common.psnr(mag_f32, mag_torch),
                   "torch_f32_laplacian_psnr_db": common.psnr(lap_f32, lap_torch),
                   "gradient_magnitude_max_rel_err": float(np.abs(mag_csim - mag_torch).max() / np.ptp(mag_torch)),
                   "laplacian_max_rel_err": float(np.abs(lap_csim - lap_torch).max() / np.ptp(lap_torch)),
                   "csim_seconds": round(csim_seconds, 1), "kernels": report["kernels"],
                   "fifos": report["fifos"], "macs_per_sample": report["macs_per_sample"],
                   "cycles_per_batch": report["cycles"], "dsp": report["dsp"]}
        print(f"PSNR against PyTorch float64: |grad f| csim {figures['gradient_magnitude_psnr_db']:.1f} dB "
              f"(PyTorch float32 {figures['torch_f32_gradient_magnitude_psnr_db']:.1f} dB), Laplacian csim "
              f"{figures['laplacian_psnr_db']:.1f} dB (PyTorch float32 {figures['torch_f32_laplacian_psnr_db']:.1f} "
              f"dB); the SIREN fits the image to {figures['fit_psnr_db']:.1f} dB")

        m_hi = common.robust_range(mag_torch)
        l_hi = common.robust_range(lap_torch)
        panels = [
            common.Panel(f"camera {size}x{size}", image, 0, 1),
            common.Panel("|grad f|, PyTorch float64", mag_torch, 0, m_hi),
            common.Panel(f"|grad f|, csim ({figures['gradient_magnitude_psnr_db']:.1f} dB)", mag_csim, 0, m_hi),
            common.Panel(f"SIREN f ({figures['fit_psnr_db']:.1f} dB vs image)", fit, 0, 1),
            common.Panel("Laplacian, PyTorch float64", lap_torch, -l_hi, l_hi),
            common.Panel(f"Laplacian, csim ({figures['laplacian_psnr_db']:.1f} dB)", lap_csim, -l_hi, l_hi),
        ]
        png = common.save_figure(results / f"{name}.png", panels,
                                 f"Edges from a SIREN's derivatives: {size * size:,} pixels through the compiled "
                                 f"design\nin C simulation ({args.precision}; PSNR vs PyTorch float64)", columns=3)
        common.write_json(results / f"{name}.json", figures)
        print(f"wrote {png} and {results / f'{name}.json'}")

    return common.run_main(body)


if __name__ == "__main__":
    sys.exit(main())
