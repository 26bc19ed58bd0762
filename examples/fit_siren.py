"""Fit the image SIREN the other examples load: `python examples/fit_siren.py`.

SIREN 2 -> 64 x3 sine layers (w0 = 30) -> 1 (`siren:in=2,hidden=64,layers=3,out=1,w0=30`)
fitted by Adam to scikit-image's bundled `camera` downsampled to 128x128
(grey values in [0, 1], pixel centres in [-1, 1]^2, x0 down the rows, x1
along the columns). Writes `examples/weights/camera_siren.pt`, a plain
state_dict that `inrarch compile ... --weights` loads, and its .json (spec,
steps, fit PSNR). The committed file came from this script's defaults.
"""

from __future__ import annotations

import argparse
import sys

import common


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    common.add_steps_argument(parser, "Adam steps (default 500; 10 with --smoke)")
    common.add_common_arguments(parser)
    args = parser.parse_args(argv)

    def body():
        workdir, _ = common.directories(args)
        # Fitting is what this script is for: always refit (into the committed path unless --smoke).
        common.camera_siren(args.smoke, True, workdir, args.steps)

    return common.run_main(body)


if __name__ == "__main__":
    sys.exit(main())
