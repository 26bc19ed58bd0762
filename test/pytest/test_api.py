"""The Python API: contexts, Pipeline, pass options, diagnostics."""

import pytest
from torch_mlir import ir

import inrarch_mlir
from inrarch_mlir.diagnostics import CompileError, parse_module
from inrarch_mlir.passes import OptionError, get_pass_class
from inrarch_mlir.pipeline import Pipeline, split_top_level

FANOUT = """
func.func @f(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) attributes {stream.implicit_forks} {
  %0 = "stream.load"(%x) : (tensor<4x8xf32>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
  %1 = "stream.store"(%0) : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> tensor<4x8xf32>
  %2 = "stream.store"(%0) : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> tensor<4x8xf32>
  return %1, %2 : tensor<4x8xf32>, tensor<4x8xf32>
}
"""


def test_pipeline_mixes_upstream_and_ours():
    ctx = inrarch_mlir.make_context()
    module = parse_module(FANOUT, ctx)
    ran = []
    inrarch_mlir.Pipeline(["cse", get_pass_class("stream-insert-forks")(), "canonicalize"]).run(
        module, after_pass=lambda name, m: ran.append(name)
    )
    assert ran == ["cse", "stream-insert-forks", "canonicalize"]
    text = str(module)
    assert text.count('"stream.fork"') == 1
    assert "stream.implicit_forks" not in text


def test_pipeline_text_round_trips():
    p = Pipeline.parse("builtin.module(cse,stream-insert-forks,func.func(canonicalize))")
    assert str(p) == "builtin.module(cse,stream-insert-forks,func.func(canonicalize))"


def test_split_top_level_respects_nesting():
    assert split_top_level("a,b{x=1,y=2},c(d,e)") == ["a", "b{x=1,y=2}", "c(d,e)"]
    with pytest.raises(OptionError):
        split_top_level("a(b")


def test_unknown_option_is_a_clear_error():
    with pytest.raises(OptionError, match="has no option 'depth'"):
        Pipeline.parse("stream-insert-forks{depth=3}")


def test_parse_error_is_located():
    ctx = inrarch_mlir.make_context()
    with pytest.raises(CompileError) as e:
        parse_module("func.func @f(%x: tensor<4xf32>\n", ctx, "in.mlir")
    d = e.value.diagnostics[0]
    assert (d.file, d.line, d.severity) == ("in.mlir", 1, "error")
    assert d.format().startswith("in.mlir:1:")


def test_contexts_do_not_leak():
    import gc

    for _ in range(3):
        parse_module(FANOUT, inrarch_mlir.make_context())
    gc.collect()
    assert ir.Context._get_live_count() == 0
