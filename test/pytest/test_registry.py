"""The pass registry is consistent: names match, docs and lit tests exist."""

from pathlib import Path

import pytest

from inrarch_mlir.passes import all_pass_classes

TRANSFORMS = Path(__file__).resolve().parents[1] / "Transforms"
CONVERSION = Path(__file__).resolve().parents[1] / "Conversion"


@pytest.mark.parametrize("name,cls", sorted(all_pass_classes().items()))
def test_pass_is_registered_under_its_name(name, cls):
    assert cls.name == name
    assert cls.summary(), f"{name} needs a docstring whose first line is its --help summary"


@pytest.mark.parametrize("name", sorted(all_pass_classes()))
def test_pass_has_a_lit_test(name):
    candidates = [TRANSFORMS / f"{name}.mlir", CONVERSION / f"{name}.mlir"]
    found = [c for c in candidates if c.is_file()]
    assert found, f"missing lit test for {name}: expected one of {candidates}"
    text = found[0].read_text()
    assert "RUN:" in text and "CHECK" in text
    assert "--verify-diagnostics" in text, f"{name}'s lit test needs a --verify-diagnostics error case"


@pytest.mark.parametrize("name,cls", sorted(all_pass_classes().items()))
def test_every_option_has_help(name, cls):
    missing = [f.name.replace("_", "-") for f in cls.options() if not cls.option_help(f).strip()]
    assert not missing, f"{name}: options without help text (declare them with passes.base.option): {missing}"


def test_help_shows_option_help(capsys):
    from inrarch_mlir.cli.opt import help_text

    text = help_text()
    for name, cls in all_pass_classes().items():
        for f in cls.options():
            assert cls.option_help(f) in text, (name, f.name)
