"""One module per stream op: the op's kernel kind, every fact about it in one place.

`KINDS` maps each op name of `dialects/stream.irdl.mlir` to its `OpKind`
(the interface is in `base.py`, the design in `README.md`): builder,
verifier rule, timing model, NumPy semantics and fixed-point range rule,
lanes constraint, resource cost and C++ call. Adding an op means: its IRDL
definition, one module here registered below, and its C++ kernel in
`hls_runtime/` with a CTest; `test/pytest/test_architecture.py` names any
interface member left out.
"""

from __future__ import annotations

from .base import OpKind
from .broadcast import BroadcastKind
from .concat import ConcatKind
from .fifo import FifoKind
from .fork import ForkKind
from .jet import JetKind
from .load import LoadKind
from .map import MapKind
from .matmul import MatmulKind
from .reduce import ReduceKind
from .repeat import RepeatKind
from .reshape import ReshapeKind
from .slice_ import SliceKind
from .store import StoreKind
from .subsample import SubsampleKind
from .transpose import TransposeKind
from .weights import WeightsKind
from .yield_ import YieldKind

#: op name -> its kind (one instance each; kinds are stateless).
KINDS: dict[str, OpKind] = {k.name: k for k in (
    LoadKind(), StoreKind(), WeightsKind(), FifoKind(), ForkKind(), MatmulKind(), TransposeKind(), MapKind(),
    YieldKind(), BroadcastKind(), ReduceKind(), SliceKind(), ReshapeKind(), ConcatKind(), JetKind(),
    RepeatKind(), SubsampleKind())}

__all__ = ["KINDS", "OpKind", "kind_of"]


def kind_of(op) -> OpKind:
    """The kind of a stream op; KeyError naming the op when it has none."""
    name = op.name
    kind = KINDS.get(name)
    if kind is None:
        raise KeyError(f"'{name}' has no kernel kind (inrarch_mlir.kernels.KINDS knows {', '.join(sorted(KINDS))})")
    return kind
