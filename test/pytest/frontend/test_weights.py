"""--weights: trained checkpoints for built-ins and factories; NaN and Inf refused by name."""

from __future__ import annotations

import pytest
import torch

from inrarch_mlir.frontend import FrontendError, load_model
from inrarch_mlir.frontend.limits import check_finite
from inrarch_mlir.frontend.models import load_weights

SPEC = "siren:in=2,hidden=8,layers=2,out=1,w0=30"


def _trained(seed=3):
    return load_model(SPEC, seed=seed).module.state_dict()


@pytest.mark.parametrize("suffix", [".pt", ".safetensors"])
def test_a_checkpoint_replaces_the_seeded_init(tmp_path, suffix):
    state = _trained()
    path = tmp_path / f"w{suffix}"
    if suffix == ".pt":
        torch.save(state, path)
    else:
        from safetensors.torch import save_file

        save_file(state, str(path))
    module = load_model(SPEC, seed=0).module
    assert not torch.equal(module.hidden[0].weight, state["hidden.0.weight"])
    load_weights(module, str(path))
    for k, v in module.state_dict().items():
        assert torch.equal(v, state[k]), k


def test_wrapped_and_data_parallel_checkpoints_load(tmp_path):
    state = _trained()
    torch.save({"state_dict": {f"module.{k}": v for k, v in state.items()}, "epoch": 7}, tmp_path / "w.pth")
    module = load_model(SPEC).module
    load_weights(module, str(tmp_path / "w.pth"))
    assert torch.equal(module.out.bias, state["out.bias"])


def test_every_mismatch_is_listed_in_one_error(tmp_path):
    state = _trained()
    state.pop("out.bias")
    state["extra.weight"] = torch.zeros(3)
    state["hidden.0.weight"] = torch.zeros(4, 2)
    torch.save(state, tmp_path / "bad.pt")
    with pytest.raises(FrontendError) as e:
        load_weights(load_model(SPEC).module, str(tmp_path / "bad.pt"))
    msg = str(e.value)
    assert "3 mismatch(es)" in msg and "missing out.bias [1]" in msg and "unexpected extra.weight [3]" in msg
    assert "hidden.0.weight: checkpoint [4, 2] vs model [8, 2]" in msg and "\n" not in msg


@pytest.mark.parametrize("content", [b"not a checkpoint", None])
def test_unreadable_or_missing_files_are_one_line_errors(tmp_path, content):
    path = tmp_path / "w.pt"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(FrontendError, match="--weights: (cannot read|no such file)"):
        load_weights(load_model(SPEC).module, str(path))


@pytest.mark.parametrize("value,what", [(float("nan"), "1 NaN and 0 infinite"), (float("inf"), "0 NaN and 1 infinite")])
def test_non_finite_weights_are_refused_naming_the_tensor(value, what):
    module = load_model(SPEC).module
    with torch.no_grad():
        module.hidden[1].weight[2, 5] = value
    with pytest.raises(FrontendError, match=rf"parameter 'hidden.1.weight' has {what} value\(s\) \(first at index \(2, 5\)\)"):
        check_finite(module)


def test_compile_uses_the_checkpoint_and_refuses_nan(tmp_path, capsys):
    import json

    import numpy as np

    from inrarch_mlir.cli.main import main

    state = _trained(seed=11)
    torch.save(state, tmp_path / "w.pt")
    out = tmp_path / "o"
    assert main(["compile", SPEC, "--order", "1", "--batch", "2", "--weights", str(tmp_path / "w.pt"),
                 "-o", str(out), "-q"]) == 0
    manifest = json.loads((out / "hls" / "data" / "manifest.json").read_text())
    (cname, info), = [(c, i) for c, i in manifest["inputs"].items() if i["arg"] == 1]  # hidden.0.weight
    got = np.fromfile(out / "hls" / "data" / f"{cname}.bin", dtype=np.float32)
    np.testing.assert_array_equal(got, state["hidden.0.weight"].numpy().reshape(-1))
    state["out.weight"][0, 0] = float("nan")
    torch.save(state, tmp_path / "nan.pt")
    assert main(["compile", SPEC, "--order", "1", "--batch", "2", "--weights", str(tmp_path / "nan.pt"),
                 "-o", str(tmp_path / "p"), "-q"]) == 1
    assert "parameter 'out.weight' has 1 NaN" in capsys.readouterr().err
    assert not (tmp_path / "p").exists()


def test_import_checks_with_the_checkpoint_and_refuses_a_mismatch(tmp_path, capsys):
    from inrarch_mlir.cli.main import main

    state = _trained(seed=5)
    torch.save(state, tmp_path / "w.pt")
    assert main(["import", SPEC, "--order", "1", "--batch", "3", "--weights", str(tmp_path / "w.pt"),
                 "-o", str(tmp_path / "m.mlir"), "--check", "-q"]) == 0
    assert "max_rel_err=" in capsys.readouterr().out
    state["hidden.0.weight"] = torch.zeros(4, 2)
    torch.save(state, tmp_path / "bad.pt")
    assert main(["import", SPEC, "--order", "1", "--batch", "3", "--weights", str(tmp_path / "bad.pt"),
                 "-o", str(tmp_path / "n.mlir"), "-q"]) == 1
    err = capsys.readouterr().err
    assert "hidden.0.weight: checkpoint [4, 2] vs model [8, 2]" in err and "Traceback" not in err
    assert not (tmp_path / "n.mlir").exists()


def test_the_import_help_names_every_family():
    import argparse

    from inrarch_mlir.cli import import_cmd
    from inrarch_mlir.frontend.models import FAMILIES

    parser = argparse.ArgumentParser()
    import_cmd.add_arguments(parser)
    help_text = " ".join(parser.format_help().split())
    assert f"families: {', '.join(sorted(FAMILIES))}" in help_text
