"""`--check`: run the imported module through MLIR's JIT and compare with PyTorch.

The torch-dialect module is lowered to linalg-on-tensors (torch-mlir's
backend pipeline), bufferized and lowered to LLVM, and executed with
`torch_mlir.execution_engine.ExecutionEngine`. Results come back through
torch-mlir's `refback-munge-calling-conventions` callbacks. The reference is
`torch.func` (nested `jacfwd`, an independent route) computed at the same
moment in float64, plus the float32 eager derivative function.
"""

from __future__ import annotations

import ctypes
import re
from dataclasses import dataclass, field
from typing import List, Optional, Sequence

import numpy as np
import torch

from .derivatives import DerivativeLayout, couples_samples, derivative_function, reference_partials
from .errors import FrontendError

TO_BACKEND = (
    "builtin.module(func.func(torch-match-quantized-custom-ops),"
    "torchdynamo-export-to-torch-backend-pipeline{extra-library=},"
    "torch-backend-to-linalg-on-tensors-backend-pipeline)"
)
TO_LLVM = (
    "builtin.module("
    "func.func(refback-generalize-tensor-pad, refback-generalize-tensor-concat,"
    " linalg-fuse-elementwise-ops),"
    "one-shot-bufferize{copy-before-write bufferize-function-boundaries"
    " function-boundary-type-conversion=identity-layout-map},"
    "refback-munge-calling-conventions,"
    "func.func(refback-munge-memref-copy, convert-linalg-to-loops, lower-affine),"
    "convert-scf-to-cf,"
    "func.func(refback-expand-ops-for-llvm, arith-expand, convert-math-to-llvm),"
    "convert-math-to-libm, expand-strided-metadata, finalize-memref-to-llvm, lower-affine,"
    "convert-arith-to-llvm, convert-func-to-llvm, convert-cf-to-llvm,"
    "reconcile-unrealized-casts)"
)

#: A result whose reference magnitude is below this fraction of the largest
#: magnitude among results of the same order is "tiny": it counts for the
#: absolute error only (the relative error of a near-zero derivative is noise).
TINY = 1e-6


@dataclass
class CheckReport:
    """Errors of the JIT-run module against the references."""

    max_abs_err: float
    max_rel_err: float
    max_abs_err_f32: float  # against the float32 eager derivative function
    tolerance: float
    worst: str = ""  # name of the result with max_rel_err
    per_result: List[dict] = field(default_factory=list)
    #: what the float64 reference is: per-sample `torch.func`, or (for a model
    #: whose samples interact) the traced derivative function on the batch
    reference: str = "per-sample torch.func"
    #: PyTorch's own float32 error: its eager derivatives against the same float64 reference
    torch_f32_rel_err: Optional[float] = None
    #: judge against float32's own error too (the default tolerance); False: the tolerance alone
    relative_to_f32: bool = True

    @property
    def ok(self) -> bool:
        """Within the tolerance, or (by default) within `numeric.compare.F32_FACTOR` of float32's own error."""
        from ..numeric.compare import accepted

        return accepted(self.max_rel_err, self.tolerance, self.torch_f32_rel_err if self.relative_to_f32 else None)

    def summary(self) -> str:
        status = "ok" if self.ok else "FAILED"
        f32 = f" torch_f32_rel_err={self.torch_f32_rel_err:.3e}" if self.torch_f32_rel_err is not None else ""
        return (f"max_abs_err={self.max_abs_err:.3e} max_rel_err={self.max_rel_err:.3e}{f32} "
                f"(tolerance {self.tolerance:g}, worst {self.worst or '-'}, reference: {self.reference}) {status}")


def _user_location(text: str):
    from .errors import SourceLocation, is_user_file

    for file, line in re.findall(r'"([^"]+)":([0-9]+):[0-9]+', text):
        if is_user_file(file):
            return SourceLocation(file, int(line))
    return None


def _run(pm_text: str, module, what: str) -> None:
    from torch_mlir.passmanager import PassManager

    with module.context:
        try:
            PassManager.parse(pm_text).run(module.operation)
        except Exception as e:
            text = str(e)
            op = re.search(r"failed to legalize operation '([\w.]+)'", text) or re.search(
                r"'(torch\.[\w.]+)'", text)
            if op:
                name = op.group(1).replace("torch.aten.", "aten.")
                raise FrontendError(
                    f"unsupported op '{name}': torch-mlir cannot lower it to linalg; "
                    "rewrite the model without it or with an equivalent supported op",
                    _user_location(text)) from None
            lines = [l.strip() for l in text.splitlines() if "error" in l.lower()] or text.splitlines() or [""]
            raise FrontendError(f"{what} failed: {lines[0]}") from None


def verify_lowerable(module) -> None:
    """Raises a located `FrontendError` if the module cannot be lowered to linalg."""
    from torch_mlir import ir

    from .importer import new_context

    asm = module.operation.get_asm(enable_debug_info=True)
    ctx = new_context()
    with ctx:
        clone = ir.Module.parse(asm)
    _reject_crashing_ops(clone)
    _run(TO_BACKEND, clone, "lowering to linalg")


#: Ops whose linalg lowering crashes the process (a segfault inside torch-mlir
#: 20261001, e.g. the backward of torch.sort yields aten.scatter.src); they are
#: rejected before the PassManager runs.
CRASHES_LOWERING = frozenset({"torch.aten.scatter.src"})


def _reject_crashing_ops(module) -> None:
    found = []

    def visit(op):
        op = op.operation if hasattr(op, "operation") else op
        if op.name in CRASHES_LOWERING and not found:
            found.append(op)
        for region in op.regions:
            for block in region.blocks:
                for inner in block.operations:
                    visit(inner)

    visit(module.operation)
    if found:
        op = found[0]
        name = op.name.replace("torch.aten.", "aten.")
        raise FrontendError(
            f"unsupported op '{name}': torch-mlir cannot lower it to linalg; "
            "rewrite the model without it or with an equivalent supported op",
            _user_location(str(op.location)))


def lower_to_llvm(module_asm: str):
    """A fresh LLVM-dialect module from the torch-dialect text (the input is untouched)."""
    from torch_mlir import ir

    from .importer import new_context

    ctx = new_context()
    with ctx:
        module = ir.Module.parse(module_asm)
    _run(TO_BACKEND, module, "lowering to linalg")
    _run(TO_LLVM, module, "lowering to LLVM")
    return module


def _count_results(module_asm: str) -> int:
    from torch_mlir import ir

    from .importer import new_context

    with new_context():
        module = ir.Module.parse(module_asm)
        for op in module.body.operations:
            if op.operation.name == "func.func" and ir.StringAttr(op.attributes["sym_name"]).value == "main":
                return len(ir.FunctionType(ir.TypeAttr(op.attributes["function_type"]).value).results)
    raise FrontendError("module has no func.func @main")


def run_module(module_asm: str, inputs: Sequence[torch.Tensor], *, opt_level: int = 0) -> List[np.ndarray]:
    """JIT-compiles `func.func @main` and runs it on `inputs`; returns its results.

    `opt_level` 0 by default: LLVM -O2 on a large derivative graph costs tens
    of seconds of compile time and a check runs the module once.
    """
    from torch_mlir.execution_engine import ExecutionEngine
    from torch_mlir.runtime import np_to_memref as m2n

    llvm = lower_to_llvm(module_asm)
    asm = str(llvm)
    consumers = sorted(set(re.findall(r"@(refbackend_consume_func_return_\w+)", asm)))
    if len(consumers) != 1:
        raise FrontendError(f"unexpected calling convention after lowering: {consumers}")
    results: List[np.ndarray] = []

    def consume(*ptrs):
        for p in ptrs:
            results.append(m2n.unranked_memref_to_numpy(p, np.float32).copy())

    name = consumers[0]
    n_results = _count_results(module_asm)
    proto = ctypes.CFUNCTYPE(None, *([ctypes.POINTER(m2n.UnrankedMemRefDescriptor)] * n_results))
    callback = proto(consume)
    engine = ExecutionEngine(llvm, opt_level=opt_level, shared_libs=[])
    engine.register_runtime(name, callback)
    arrays = [np.ascontiguousarray(t.detach().cpu().numpy()) for t in inputs]
    args = [ctypes.pointer(ctypes.pointer(m2n.get_unranked_memref_descriptor(a))) for a in arrays]
    engine.invoke("main", *args)
    del callback
    return results


def compare(actual: Sequence[np.ndarray], expected: Sequence[torch.Tensor], layout: DerivativeLayout,
            tolerance: float, f32: Optional[Sequence[torch.Tensor]] = None) -> CheckReport:
    """Max abs / rel errors; rel is |a-b| / max|ref| per result, tiny results skipped."""
    if len(actual) != len(expected):
        raise FrontendError(f"module returned {len(actual)} results, layout expects {len(expected)}")
    orders = layout.result_orders()
    scale_by_order = {}
    for k, e in zip(orders, expected):
        scale_by_order[k] = max(scale_by_order.get(k, 0.0), float(e.abs().max()))
    max_abs = max_rel = 0.0
    worst = ""
    rows = []
    for i, (p, k, a, e) in enumerate(zip(layout.results, orders, actual, expected)):
        e64 = e.detach().double().reshape(-1)
        a64 = torch.from_numpy(np.asarray(a, dtype=np.float64)).reshape(-1)
        abs_err = float((a64 - e64).abs().max()) if e64.numel() else 0.0
        mag = float(e64.abs().max()) if e64.numel() else 0.0
        tiny = mag <= TINY * max(scale_by_order[k], 1e-30)
        rel = 0.0 if tiny else abs_err / mag
        if not (np.isfinite(abs_err) and np.isfinite(mag)):
            rel = float("inf")
        rows.append({"name": p.name, "abs_err": abs_err, "rel_err": rel, "ref_max": mag, "tiny": tiny})
        max_abs = max(max_abs, abs_err)
        if rel >= max_rel:
            max_rel, worst = rel, p.name
    abs32, rel32 = 0.0, None
    if f32 is not None:
        from ..numeric.compare import compare as compare_outputs

        for a, e in zip(actual, f32):
            abs32 = max(abs32, float(np.max(np.abs(np.asarray(a) - e.detach().numpy()))) if e.numel() else 0.0)
        rel32 = compare_outputs([e.detach().double().numpy() for e in f32],
                                [e.detach().double().numpy() for e in expected], [p.name for p in layout.results],
                                orders)["max_rel_err"]
    return CheckReport(max_abs, max_rel, abs32, tolerance, worst, rows, torch_f32_rel_err=rel32)


#: The --check tolerance when none is given.
DEFAULT_TOLERANCE = 1e-4


def check_module(result, *, tolerance: Optional[float] = None) -> CheckReport:
    """Runs `result.module` (an `ImportResult`) and compares it with `torch.func`.

    With the default tolerance a result within `numeric.compare.F32_FACTOR`
    of PyTorch's own float32 error passes too; an explicit tolerance is
    applied alone."""
    layout = result.layout
    actual = run_module(str(result.module), [result.coords, *result.params])
    ref, f32, coupled = references(result)
    report = compare(actual, ref, layout, DEFAULT_TOLERANCE if tolerance is None else tolerance, f32)
    report.relative_to_f32 = tolerance is None
    if coupled:
        report.reference = "the traced derivative function on the batch (float64; the samples interact)"
    return report


#: Samples per torch.func / float32 evaluation of `references` (independent samples).
REFERENCE_CHUNK = 256


def references(result, coords: Optional[torch.Tensor] = None, coupled: Optional[bool] = None):
    """(float64 reference, PyTorch float32's own results, whether samples interact) for
    an `ImportResult` at `coords` (default: its example batch); `coupled` when the
    caller knows (the compiled design's barriers say), else `couples_samples` tells.

    The reference is per-sample `torch.func` (`reference_partials`) in float64,
    the head (if any) applied in float64 too; for a model whose samples interact
    it is the traced derivative function itself on the batch. A model with a
    `reference_module()` (ASMR sharing) is judged by that module, per sample."""
    from .derivatives import with_head

    layout, module, head = result.layout, result.model.module, getattr(result, "head", None)
    coords = result.coords if coords is None else coords
    if hasattr(module, "reference_module"):  # a batch-level rewrite (ASMR sharing): per-sample plain forward
        module, coupled = module.reference_module().float(), False
    m64 = _copy_double(module)
    h64 = _copy_double(head) if head is not None else None
    p64 = [p.detach().double() for _, p in m64.named_parameters()]
    if h64 is not None:
        p64 += [p.detach().double() for _, p in h64.named_parameters()]
    coupled = couples_samples(module, coords) if coupled is None else coupled
    f32_function = with_head(derivative_function(module, layout), layout, head)
    if coupled:  # per-sample derivatives are not what was traced: the batch function is the reference
        batch64 = with_head(derivative_function(m64, layout), layout, h64)
        reference, chunk = (lambda c: batch64(c.double(), *p64)), len(coords)  # the whole batch at once
    else:  # independent samples in chunks, so that memory does not grow with the batch (at order 4 the float32
        # derivative function holds ~3 MB per sample: 12 GB for the 4,096 testbench samples at once)
        reference, chunk = (lambda c: reference_partials(m64, layout, c.double(), p64, h64)), REFERENCE_CHUNK
    ref_parts, f32_parts = [], []
    for lo in range(0, len(coords), chunk):
        part = coords[lo:lo + chunk]
        ref_parts.append([r.detach() for r in reference(part)])
        with torch.no_grad():
            f32_parts.append([t.detach() for t in f32_function(part, *result.params)])
    join = (lambda parts: [torch.cat(ts, dim=0) for ts in zip(*parts)])
    return join(ref_parts), join(f32_parts), coupled


def _copy_double(module: torch.nn.Module) -> torch.nn.Module:
    import copy

    return copy.deepcopy(module).double()
