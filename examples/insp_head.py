"""The INSP-style blurring head of `insp_edit.py`, as a `--head FILE.py:factory` for the command line.

An MLP over the INR's value, gradient and Laplacian at a pixel (the order of
`--outputs value,gradient,laplacian`: f, df/dx0, df/dx1, Laplacian) that
outputs the image blurred by a Gaussian of 1 pixel there (to second
order a blur is f + sigma^2/2 * Laplacian, so the derivatives at one point
carry most of it). Its input standardization is folded into the first
Linear, so the raw derivatives go in. The weights are the
ones `insp_edit.py` trained and committed:

    inrarch compile siren:in=2,hidden=64,layers=3,out=1,w0=30 --weights examples/weights/camera_siren.pt \\
        --outputs value,gradient,laplacian --head examples/insp_head.py:blur_head --batch 256 -o build/insp
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

HEAD_WEIGHTS = Path(__file__).resolve().parent / "weights" / "insp_blur_head.pt"
#: f, df/dx0, df/dx1, Laplacian.
FEATURES = 4
HIDDEN = 32


def architecture() -> nn.Sequential:
    """The untrained head: 4 -> 32 -> 32 -> 1, ReLU."""
    return nn.Sequential(nn.Linear(FEATURES, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, HIDDEN), nn.ReLU(),
                         nn.Linear(HIDDEN, 1))


def blur_head() -> nn.Sequential:
    """The trained head (HEAD_WEIGHTS; `python examples/insp_edit.py --refit` retrains it)."""
    head = architecture()
    head.load_state_dict(torch.load(HEAD_WEIGHTS, map_location="cpu", weights_only=True))
    return head.eval()
