"""Every model family at orders 0..3 lowers to stream kernels, balances and
passes the deadlock check (small sizes; the benchmark covers SIREN-256)."""

import pytest

from inrarch_mlir.context import make_context
from inrarch_mlir.diagnostics import parse_module
from inrarch_mlir.pipeline import STREAM_PIPELINE as PIPELINE
from inrarch_mlir.pipeline import Pipeline
FAMILIES = [
    "siren:in=2,hidden=8,layers=2,out=2,w0=30",
    "ffn:in=2,hidden=8,layers=2,out=2",
    "gauss:in=2,hidden=8,layers=2,out=2",
    "quad:in=2,hidden=8,layers=2,out=2",
    "tanh:in=2,hidden=8,layers=2,out=2",
]


@pytest.mark.parametrize("order", [0, 1, 2, 3])
@pytest.mark.parametrize("spec", FAMILIES, ids=lambda s: s.split(":")[0])
def test_family_lowers_and_balances(spec, order):
    from inrarch_mlir.frontend import import_model

    imported = import_model(spec, order, 4)
    module = parse_module(imported.asm, make_context())
    Pipeline.parse(PIPELINE).run(module)
    text = str(module)
    assert "torch.aten.mm" not in text and "torch.aten.sin" not in text
    assert '"stream.matmul"' in text and '"stream.fifo"' in text
    f = module.body.operations[0]
    cycles = f.attributes["stream.cycles"].value
    unbounded = f.attributes["stream.cycles_unbounded"].value
    assert cycles <= unbounded * 1.01
