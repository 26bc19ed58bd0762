"""`--head FILE.py:factory`: a network applied to the selected outputs.

An INSP-Net-style editing head (Xu et al., "Signal Processing for Implicit
Neural Representations", NeurIPS 2022, VITA-Group/INSP) is an MLP over an INR's
value and derivatives at a point. Here the head's input is the concatenation
of the `--outputs` (in their order), its output [batch, H] the design's
results `head0..head{H-1}`; it takes no derivatives of its own.
"""

from __future__ import annotations

from typing import Tuple, Union

import torch
from torch import nn

from .errors import FrontendError
from .limits import check_finite


def load_head(head: Union[str, nn.Module], n_inputs: int, input_names) -> Tuple[nn.Module, int]:
    """The head module (float32, eval) and its number of outputs; checks that it
    takes `n_inputs` features, returns [batch, H] and has finite weights."""
    from .models import _first_linear_in_features, _load_factory

    if isinstance(head, str):
        if ".py:" not in head:
            raise FrontendError(f"bad --head '{head}': expected 'path/file.py:factory'")
        module, _ = _load_factory(head)
    elif isinstance(head, nn.Module):
        module = head
    else:
        raise FrontendError(f"head must be 'path/file.py:factory' or an nn.Module, got {type(head).__name__}")
    module = module.float().eval()
    width = _first_linear_in_features(module)
    names = ", ".join(input_names)
    if width is not None and width != n_inputs:
        raise FrontendError(f"the head's first Linear takes {width} inputs, but --outputs gives {n_inputs} "
                            f"({names})")
    try:
        check_finite(module)
    except FrontendError as e:
        raise FrontendError(f"head: {e.message}") from None
    try:
        with torch.no_grad():
            y = module(torch.zeros(2, n_inputs))
    except Exception as e:
        raise FrontendError(f"the head fails on a [batch, {n_inputs}] input ({names}): "
                            f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}") from None
    if not isinstance(y, torch.Tensor) or not y.is_floating_point() or y.dim() not in (1, 2) or y.shape[0] != 2:
        raise FrontendError("the head must return one floating-point tensor [batch] or [batch, H]")
    return module, 1 if y.dim() == 1 else int(y.shape[1])
