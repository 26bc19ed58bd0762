"""The pass registry: pass name -> where its class lives, loaded on demand.

Keeping the table lazy means `inrarch-opt --help` and the driver start without
importing every pass module (and never torch). Add a pass by adding one line
here, a module `passes/<snake_name>.py` and `test/Transforms/<name>.mlir`.
"""

from __future__ import annotations

import importlib
import importlib.util

from .base import ModulePass, OptionError, PassError

__all__ = ["ModulePass", "OptionError", "PassError", "PASSES", "get_pass_class", "all_pass_classes"]

#: name -> "module:Class" (module relative to this package).
PASSES: dict[str, str] = {
    "convert-torch-to-stream": "convert_torch_to_stream:ConvertTorchToStreamPass",
    "stream-set-target": "stream_set_target:StreamSetTargetPass",
    "stream-fuse-elementwise": "stream_fuse_elementwise:StreamFuseElementwisePass",
    "stream-fuse-jets": "stream_fuse_jets:StreamFuseJetsPass",
    "stream-cse": "stream_cse:StreamCSEPass",
    "stream-insert-forks": "stream_insert_forks:StreamInsertForksPass",
    "stream-parallelize": "stream_parallelize:StreamParallelizePass",
    "stream-annotate-timing": "stream_annotate_timing:StreamAnnotateTimingPass",
    "stream-balance": "stream_balance:StreamBalancePass",
    "stream-check-deadlock": "stream_check_deadlock:StreamCheckDeadlockPass",
    "stream-fit": "stream_fit:StreamFitPass",
}


def _available() -> dict[str, str]:
    """Registry entries whose module exists (passes land one at a time)."""
    out = {}
    for name, target in PASSES.items():
        mod = target.split(":")[0]
        if importlib.util.find_spec(f"{__name__}.{mod}") is not None:
            out[name] = target
    return out


def get_pass_class(name: str) -> type[ModulePass]:
    target = _available().get(name)
    if target is None:
        raise KeyError(name)
    mod, cls = target.split(":")
    return getattr(importlib.import_module(f"{__name__}.{mod}"), cls)


def all_pass_classes() -> dict[str, type[ModulePass]]:
    return {name: get_pass_class(name) for name in _available()}

