"""Bad user models for the robustness corpus (test/pytest/test_corpus.py)."""

import torch
from torch import nn


class _NoLinear(nn.Module):
    def forward(self, x):
        return torch.sin(x)


class _Branchy(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(2, 4)

    def forward(self, x):
        h = self.lin(x)
        if h.sum() > 0:  # data-dependent control flow
            return torch.sin(h)
        return h


class _Unsupported(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(2, 4)

    def forward(self, x):
        return torch.special.erfinv(torch.tanh(self.lin(x)))


class _Sorting(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(2, 4)

    def forward(self, x):
        return torch.sort(self.lin(x), dim=-1).values


def no_linear():
    return _NoLinear()


def branchy():
    return _Branchy()


def unsupported():
    return _Unsupported()


def sorting():
    return _Sorting()


def not_a_module():
    return 42


def explodes():
    raise RuntimeError("factory exploded")


def needs_args(width):
    return nn.Linear(width, 1)
