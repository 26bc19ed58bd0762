"""PatchINR's patch layout: patch-grid coordinates, image <-> patch rows.

An H x W image of C channels cut into non-overlapping n x n patches is a
grid of (H/n) x (W/n) patches, numbered row-major. Patch (a, b)'s row holds
its n·n·C values ordered (row in patch i, column in patch j, channel c):
    row[(i·n + j)·C + c] = image[a·n + i, b·n + j, c]
which is the order `families.PatchINR` predicts. Works on NumPy arrays and
torch tensors alike (the result has the input's kind).
"""

from __future__ import annotations

from typing import Tuple

import numpy as np


def _permute(t, perm):
    return t.permute(*perm) if hasattr(t, "permute") else np.transpose(t, perm)


def patch_coords(rows: int, cols: int, lo: float = -1.0, hi: float = 1.0) -> np.ndarray:
    """The queries of a rows x cols patch grid, row-major: [rows·cols, 2] of
    (row position, column position), each evenly spaced in [lo, hi] (one
    value per patch, as SIREN's pixel grids are linspace(-1, 1, H))."""
    r = np.linspace(lo, hi, rows, dtype=np.float32)
    c = np.linspace(lo, hi, cols, dtype=np.float32)
    return np.stack(np.meshgrid(r, c, indexing="ij"), axis=-1).reshape(rows * cols, 2)


def assemble_patches(pred, grid: Tuple[int, int], n: int):
    """Patch predictions [rows·cols, n·n·C] (row-major over the patch grid) -> image [rows·n, cols·n, C]."""
    rows, cols = grid
    if pred.shape[0] != rows * cols or pred.shape[1] % (n * n):
        raise ValueError(f"expected [{rows * cols}, n*n*C] with n={n}, got {list(pred.shape)}")
    c = pred.shape[1] // (n * n)
    img = _permute(pred.reshape(rows, cols, n, n, c), (0, 2, 1, 3, 4))
    return img.reshape(rows * n, cols * n, c)


def split_patches(image, n: int):
    """Image [H, W, C] (H and W multiples of n) -> patch rows [(H/n)·(W/n), n·n·C]: the inverse of
    `assemble_patches`, e.g. to build PatchINR's training targets."""
    h, w, c = image.shape
    if h % n or w % n:
        raise ValueError(f"an {h}x{w} image does not split into {n}x{n} patches")
    blocks = _permute(image.reshape(h // n, n, w // n, n, c), (0, 2, 1, 3, 4))
    return blocks.reshape((h // n) * (w // n), n * n * c)
