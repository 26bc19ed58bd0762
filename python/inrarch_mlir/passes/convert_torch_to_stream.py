"""convert-torch-to-stream: torch-dialect derivative graphs to stream kernels.

The batch-streamability analysis is the classification below: a value is a
*stream* when it depends on the coordinates (argument 0) or is a weight
expression expanded over the batch; everything else is a *weight
expression* (weights are runtime data, evaluated where they are loaded).
Stream values are independent across samples when every op on them only
touches feature dims. Ops that combine samples (a permute moving the batch,
a matmul of two streams, a sum/mean, select, slice or cat over the batch)
need the whole tensor buffered: each gets a warning naming the op and is
lowered as a barrier kernel (see `stream.mixes_batch`), so the design
still streams, with one whole-tensor buffer per barrier. Two batch patterns
stream without a buffer (ASMR's activation sharing): a batch slice keeping
every s-th sample becomes `stream.subsample`, and torch's repeat_interleave
along the batch (view(expand(unsqueeze(x, 1)))) becomes `stream.repeat`.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Callable

import numpy as np

from torch_mlir import ir
from torch_mlir.dialects import arith, math

from ..dialects import stream as S
from ..dialects.walk import body_ops, funcs
from ..kernels.repeat import repeat
from ..kernels.subsample import subsample
from .base import ModulePass, PassError, option, warn

#: The warning every batch-combining op gets (its reason goes first).
BUFFERING = "forces whole-tensor buffering (not batch-streamable); lowered as a barrier kernel"

# --------------------------------------------------------------------------
# Torch value helpers
# --------------------------------------------------------------------------


def vtensor_shape_dtype(t: ir.Type) -> tuple[list[int], str] | None:
    """([dims], dtype) of `!torch.vtensor<[dims],dtype>`, or None."""
    s = str(t)
    if not s.startswith("!torch.vtensor<["):
        return None
    dims_text, _, rest = s[len("!torch.vtensor<[") :].partition("]")
    dtype = rest.strip(",>").strip()
    dims = [int(d) for d in dims_text.split(",") if d.strip()]
    return dims, dtype


def _scalar_of(value: ir.Value):
    """Python number of a torch constant (int/float/bool/none), else None."""
    op = value.owner
    if isinstance(op, ir.Block):
        return None
    name = op.name
    if name in ("torch.constant.int", "torch.constant.float", "torch.constant.bool"):
        attr = op.attributes["value"]
        if S.isa(attr, ir.IntegerAttr):
            return ir.IntegerAttr(attr).value
        if S.isa(attr, ir.FloatAttr):
            return ir.FloatAttr(attr).value
        return ir.BoolAttr(attr).value
    if name == "torch.constant.none":
        return None
    if name == "torch.vtensor.literal":
        attr = op.attributes["value"]
        if S.isa(attr, ir.DenseElementsAttr):
            dense = ir.DenseElementsAttr(attr)
            if dense.is_splat:
                v = dense.get_splat_value()
                return ir.FloatAttr(v).value if S.isa(v, ir.FloatAttr) else ir.IntegerAttr(v).value
    return None


def _int_list(value: ir.Value) -> list[int]:
    op = value.owner
    if op.name != "torch.prim.ListConstruct":
        raise ValueError("expected a torch.prim.ListConstruct of constants")
    return [_scalar_of(v) for v in op.operands]


# --------------------------------------------------------------------------
# Scalar region builders: torch op name -> f(args, scalars) -> Value
# --------------------------------------------------------------------------


def _c(v: float) -> ir.Value:
    return arith.constant(ir.F32Type.get(), float(v))


def _bool(pred: ir.Value) -> ir.Value:
    """i1 -> f32 0/1: booleans travel as floats between kernels."""
    return arith.uitofp(ir.F32Type.get(), pred)


def _truth(x: ir.Value) -> ir.Value:
    return arith.cmpf(arith.CmpFPredicate.UNE, x, _c(0.0))


def _alpha(a, b, alpha):
    return b if alpha in (None, 1) else arith.mulf(b, _c(alpha))


_CMP = {"ge": arith.CmpFPredicate.OGE, "gt": arith.CmpFPredicate.OGT, "le": arith.CmpFPredicate.OLE,
        "lt": arith.CmpFPredicate.OLT, "eq": arith.CmpFPredicate.OEQ, "ne": arith.CmpFPredicate.UNE}


def _sign(x):
    pos = arith.select(arith.cmpf(arith.CmpFPredicate.OGT, x, _c(0)), _c(1), _c(0))
    return arith.select(arith.cmpf(arith.CmpFPredicate.OLT, x, _c(0)), _c(-1), pos)


def _pow(x, n):
    if n == 2:
        return arith.mulf(x, x)
    if n == 3:
        return arith.mulf(arith.mulf(x, x), x)
    if n == 1:
        return x
    return math.powf(x, _c(n))


def _remainder(x, p, rounding):
    """x - p * rounding(x / p): remainder (floor, the sign of p) or fmod (trunc, the sign of x)."""
    return arith.subf(x, arith.mulf(p, rounding(arith.divf(x, p))))


def _clamp(x, lo, hi):
    if lo is not None:
        x = arith.maximumf(x, _c(lo))
    if hi is not None:
        x = arith.minimumf(x, _c(hi))
    return x


#: torch op -> (number of tensor operands, builder(tensor args, scalar args)).
ELEMENTWISE: dict[str, tuple[int, Callable]] = {
    "torch.aten.sin": (1, lambda a, s: math.sin(a[0])),
    "torch.aten.cos": (1, lambda a, s: math.cos(a[0])),
    "torch.aten.exp": (1, lambda a, s: math.exp(a[0])),
    "torch.aten.tanh": (1, lambda a, s: math.tanh(a[0])),
    "torch.aten.log": (1, lambda a, s: math.log(a[0])),
    "torch.aten.sqrt": (1, lambda a, s: math.sqrt(a[0])),
    "torch.aten.rsqrt": (1, lambda a, s: math.rsqrt(a[0])),
    "torch.aten.abs": (1, lambda a, s: math.absf(a[0])),
    "torch.aten.neg": (1, lambda a, s: arith.negf(a[0])),
    "torch.aten.sgn": (1, lambda a, s: _sign(a[0])),
    "torch.aten.sign": (1, lambda a, s: _sign(a[0])),
    "torch.aten.relu": (1, lambda a, s: arith.maximumf(a[0], _c(0))),
    "torch.aten.sigmoid": (1, lambda a, s: arith.divf(_c(1), arith.addf(_c(1), math.exp(arith.negf(a[0]))))),
    "torch.aten.reciprocal": (1, lambda a, s: arith.divf(_c(1), a[0])),
    "torch.aten.square": (1, lambda a, s: arith.mulf(a[0], a[0])),
    "torch.aten.mul.Tensor": (2, lambda a, s: arith.mulf(a[0], a[1])),
    "torch.aten.div.Tensor": (2, lambda a, s: arith.divf(a[0], a[1])),
    "torch.aten.add.Tensor": (2, lambda a, s: arith.addf(a[0], _alpha(a[0], a[1], s[0]))),
    "torch.aten.sub.Tensor": (2, lambda a, s: arith.subf(a[0], _alpha(a[0], a[1], s[0]))),
    "torch.aten.mul.Scalar": (1, lambda a, s: arith.mulf(a[0], _c(s[0]))),
    "torch.aten.div.Scalar": (1, lambda a, s: arith.divf(a[0], _c(s[0]))),
    "torch.aten.add.Scalar": (1, lambda a, s: arith.addf(a[0], _c(s[0] * (s[1] if s[1] is not None else 1)))),
    "torch.aten.sub.Scalar": (1, lambda a, s: arith.subf(a[0], _c(s[0] * (s[1] if s[1] is not None else 1)))),
    "torch.aten.rsub.Scalar": (1, lambda a, s: arith.subf(_c(s[0]), a[0])),
    "torch.aten.pow.Tensor_Scalar": (1, lambda a, s: _pow(a[0], s[0])),
    "torch.aten.clamp": (1, lambda a, s: _clamp(a[0], s[0], s[1])),
    "torch.aten.floor": (1, lambda a, s: math.floor(a[0])),
    "torch.aten.ceil": (1, lambda a, s: math.ceil(a[0])),
    "torch.aten.trunc": (1, lambda a, s: math.trunc(a[0])),
    "torch.aten.round": (1, lambda a, s: math.roundeven(a[0])),
    "torch.aten.frac": (1, lambda a, s: arith.subf(a[0], math.trunc(a[0]))),
    "torch.aten.remainder.Scalar": (1, lambda a, s: _remainder(a[0], _c(s[0]), math.floor)),
    "torch.aten.remainder.Tensor": (2, lambda a, s: _remainder(a[0], a[1], math.floor)),
    "torch.aten.fmod.Scalar": (1, lambda a, s: _remainder(a[0], _c(s[0]), math.trunc)),
    "torch.aten.fmod.Tensor": (2, lambda a, s: _remainder(a[0], a[1], math.trunc)),
    "torch.aten.maximum": (2, lambda a, s: arith.maximumf(a[0], a[1])),
    "torch.aten.minimum": (2, lambda a, s: arith.minimumf(a[0], a[1])),
    "torch.aten.logical_and": (2, lambda a, s: arith.mulf(a[0], a[1])),
    "torch.aten.logical_or": (2, lambda a, s: arith.maximumf(a[0], a[1])),
    "torch.aten.logical_not": (1, lambda a, s: arith.subf(_c(1), a[0])),
    "torch.aten.where.self": (3, lambda a, s: arith.select(_truth(a[0]), a[1], a[2])),
    "torch.aten.threshold_backward": (2, lambda a, s: arith.select(
        arith.cmpf(arith.CmpFPredicate.OLE, a[1], _c(s[0])), _c(0), a[0])),
}
for _k, _p in _CMP.items():
    ELEMENTWISE[f"torch.aten.{_k}.Scalar"] = (1, lambda a, s, p=_p: _bool(arith.cmpf(p, a[0], _c(s[0]))))
    ELEMENTWISE[f"torch.aten.{_k}.Tensor"] = (2, lambda a, s, p=_p: _bool(arith.cmpf(p, a[0], a[1])))

#: Ops that only re-describe a stream's shape (free).
VIEWS = {"torch.aten.unsqueeze", "torch.aten.squeeze", "torch.aten.squeeze.dim", "torch.aten.view",
         "torch.aten.reshape", "torch.aten._unsafe_view", "torch.aten.flatten.using_ints"}


def weight_view(v: ir.Value) -> tuple[ir.Value, list[int], int, list[int]]:
    """(base, shape, offset, strides) of a weight expression made of views.

    The base is a function argument or a `torch.vtensor.literal`; element i
    of the view is base_flat[offset + sum(i[d] * strides[d])].
    """
    owner = v.owner
    shape = vtensor_shape_dtype(v.type)[0]
    if isinstance(owner, ir.Block) or owner.name == "torch.vtensor.literal":
        return v, shape, 0, list(S.contiguous_strides(shape))
    name = owner.name
    ops = list(owner.operands)
    if name not in ("torch.aten.permute", "torch.aten.select.int", "torch.aten.unsqueeze", "torch.aten.squeeze",
                    "torch.aten.squeeze.dim", "torch.aten.slice.Tensor", "torch.aten.expand", "torch.aten.view",
                    "torch.aten.reshape", "torch.aten._unsafe_view"):
        raise PassError(owner, f"weight expression uses '{name}'; only views of weights (permute, select, slice, "
                               "reshape, expand) can be loaded into on-chip buffers")
    base, src_shape, offset, strides = weight_view(ops[0])
    rank = len(src_shape)
    if name == "torch.aten.permute":
        perm = [d % rank for d in _int_list(ops[1])]
        strides = [strides[d] for d in perm]
    elif name == "torch.aten.select.int":
        dim, idx = _scalar_of(ops[1]) % rank, _scalar_of(ops[2]) % src_shape[_scalar_of(ops[1]) % rank]
        offset += idx * strides[dim]
        strides = strides[:dim] + strides[dim + 1 :]
    elif name == "torch.aten.slice.Tensor":
        dim = _scalar_of(ops[1]) % rank
        start = _scalar_of(ops[2]) or 0
        start = start % src_shape[dim] if start < 0 else start
        step = _scalar_of(ops[4]) or 1
        offset += start * strides[dim]
        strides = strides[:dim] + [strides[dim] * step] + strides[dim + 1 :]
    elif name == "torch.aten.expand":
        strides = [0] * (len(shape) - rank) + [0 if s == 1 and n != 1 else st
                                               for s, n, st in zip(src_shape, shape[len(shape) - rank:], strides)]
    else:  # unsqueeze / squeeze / view: only unit dims or a contiguous source
        kept = [st for n, st in zip(src_shape, strides) if n != 1]
        if [n for n in shape if n != 1] == [n for n in src_shape if n != 1]:
            it = iter(kept)
            strides = [0 if n == 1 else next(it) for n in shape]
        elif list(strides) == list(S.contiguous_strides(src_shape)):
            strides = list(S.contiguous_strides(shape))
        else:
            raise PassError(owner, f"'{name}' of a non-contiguous weight view is not supported")
    return base, shape, offset, strides


def _repeat_source(view) -> ir.Value:
    """x of view(expand(unsqueeze(x, 1)))."""
    return view.operands[0].owner.operands[0].owner.operands[0]


def _repeated_rows(view, streams) -> int:
    """r when `view` is torch's repeat_interleave(x, r, dim=0) of a stream x [n, F...]:
    view(expand(unsqueeze(x, 1), [n, r, F...]), [n*r, F...]); else 0."""
    exp = view.operands[0].owner
    if isinstance(exp, ir.Block) or exp.name != "torch.aten.expand":
        return 0
    unsq = exp.operands[0].owner
    if isinstance(unsq, ir.Block) or unsq.name != "torch.aten.unsqueeze" or _scalar_of(unsq.operands[1]) != 1:
        return 0
    x = unsq.operands[0]
    if x not in streams:
        return 0
    (n, *feat), grown = vtensor_shape_dtype(x.type)[0], vtensor_shape_dtype(exp.results[0].type)[0]
    if len(grown) != len(feat) + 2 or grown[0] != n or grown[2:] != feat:
        return 0
    return grown[1] if vtensor_shape_dtype(view.results[0].type)[0] == [n * grown[1], *feat] else 0


# --------------------------------------------------------------------------
# The converter
# --------------------------------------------------------------------------


@dataclasses.dataclass
class _Converter:
    batch: int
    lanes: int
    streams: dict = dataclasses.field(default_factory=dict)  # torch Value -> channel Value
    converted: list = dataclasses.field(default_factory=list)  # torch ops now dead
    resources: dict = dataclasses.field(default_factory=dict)  # dense_resource name -> numpy array

    # -- classification -------------------------------------------------
    def is_stream(self, v: ir.Value) -> bool:
        return v in self.streams

    # -- materialization ------------------------------------------------
    def _cast(self, v: ir.Value, loc) -> ir.Value:
        """torch vtensor -> builtin tensor at the stream boundary."""
        dims, dtype = vtensor_shape_dtype(v.type)
        t = ir.RankedTensorType.get(dims, ir.Type.parse(dtype))
        return ir.Operation.create("builtin.unrealized_conversion_cast", results=[t], operands=[v], loc=loc).result

    def weight_buffer(self, v: ir.Value, loc) -> tuple[ir.Value, bool]:
        """A weight expression as an on-chip buffer; looks through transposes.

        Weight expressions are views of an argument or a constant (permute,
        select, slice, (un)squeeze, contiguous reshape, expand): they become
        the `offset`/`strides` of the `stream.weights` op, so the hardware
        loads exactly the elements it needs.
        """
        transposed = False
        while not isinstance(v.owner, ir.Block) and v.owner.name == "torch.aten.permute" \
                and _int_list(v.owner.operands[1]) == [1, 0]:
            transposed = not transposed
            v = v.owner.operands[0]
        base, shape, offset, strides = weight_view(v)
        source = self._constant(base, loc) if not isinstance(base.owner, ir.Block) else self._cast(base, loc)
        return S.weights(source, shape, offset, strides, loc=loc), transposed

    def _constant(self, literal: ir.Value, loc) -> ir.Value:
        attr = literal.owner.attributes["value"]
        text = str(attr)
        if text.startswith("dense_resource<"):  # inline it: emitters need the values
            name = text[len("dense_resource<") :].split(">")[0]
            if name not in self.resources:
                raise PassError(literal.owner, f"constant {name} has no data in the module's resources")
            attr = ir.DenseElementsAttr.get(self.resources[name].reshape(ir.RankedTensorType(attr.type).shape),
                                            type=ir.RankedTensorType(attr.type).element_type)
        return ir.Operation.create("arith.constant", results=[attr.type], attributes={"value": attr}, loc=loc).result

    def as_channel(self, v: ir.Value, shape: list[int], loc) -> ir.Value:
        """`v` as a channel of `shape` (batch first), broadcasting as needed."""
        if self.is_stream(v):
            ch = self.streams[v]
            info = S.channel_info(ch.type)
            if list(info.shape) == list(shape):
                return ch
            if len(info.shape) < len(shape):  # torch broadcasting aligns trailing dims
                ch = S.reshape(ch, [1] * (len(shape) - len(info.shape)) + list(info.shape), loc=loc)
            return S.broadcast(ch, shape, self.lanes, loc=loc)
        while not isinstance(v.owner, ir.Block) and v.owner.name == "torch.aten.expand":
            v = v.owner.operands[0]  # the broadcast below expands it (to any batch: a shared level's rows too)
        buf, transposed = self.weight_buffer(v, loc)
        if transposed:
            raise PassError(v.owner, "a transposed weight cannot be broadcast elementwise; only matmul reads W^T")
        return S.broadcast(buf, shape, self.lanes, loc=loc)

    # -- op handlers ------------------------------------------------------
    def convert(self, op: ir.Operation) -> None:
        name = op.name
        operands = list(op.operands)
        tensor_operands = [v for v in operands if vtensor_shape_dtype(v.type)]
        if name == "torch.aten.cat":  # its tensors come through a list
            tensor_operands = list(operands[0].owner.operands)
        streaming = any(self.is_stream(v) for v in tensor_operands)
        loc = op.location
        if name == "torch.aten.expand":
            src = operands[0]
            shape = vtensor_shape_dtype(op.results[0].type)[0]
            src_shape = vtensor_shape_dtype(src.type)[0]
            batch_broadcast = not streaming and shape and shape[0] == self.batch and (
                len(src_shape) < len(shape) or src_shape[0] == 1
            )
            if streaming or batch_broadcast:
                self._set(op, self.as_channel(src, shape, loc))
            return
        if not streaming:
            return  # a weight expression: stays a torch op, evaluated at load time
        if name == "torch.prim.ListConstruct":
            self.converted.append(op)  # read by its consumer (aten.cat); erased after it
            return
        out_info = vtensor_shape_dtype(op.results[0].type) if len(op.results) == 1 else None
        if out_info is None:
            raise PassError(op, f"unsupported op '{name}' on a batch-dependent tensor (no single tensor result)")
        out = out_info[0]
        if name in ELEMENTWISE:
            self._elementwise(op, out, loc)
        elif name == "torch.aten.mm":
            self._mm(op, loc)
        elif name in VIEWS and (times := _repeated_rows(op, self.streams)):
            self._set(op, repeat(self.streams[_repeat_source(op)], times, loc=loc))
        elif name in VIEWS:
            self._set(op, S.reshape(self.streams[operands[0]], out, loc=loc))
        elif name == "torch.aten.select.int":
            dim, index = _scalar_of(operands[1]), _scalar_of(operands[2])
            self._select(op, self.streams[operands[0]], dim, index, out, loc)
        elif name == "torch.aten.slice.Tensor":
            self._slice(op, loc)
        elif name in ("torch.aten.sum.dim_IntList", "torch.aten.mean.dim"):
            self._sum(op, out, loc, mean=name == "torch.aten.mean.dim")
        elif name == "torch.aten.cat":
            self._cat(op, out, loc)
        elif name == "torch.aten.permute":
            self._permute(op, loc)
        else:
            raise PassError(op, f"unsupported op '{name}' on a batch-dependent tensor")

    def _set(self, op, channel):
        self.streams[op.results[0]] = channel
        self.converted.append(op)

    def _elementwise(self, op, out, loc):
        n_tensors, build = ELEMENTWISE[op.name]
        operands = list(op.operands)
        tensors, scalars, consts = [], [], {}
        for v in operands:
            info = vtensor_shape_dtype(v.type)
            if info is None:
                scalars.append(_scalar_of(v))
                continue
            const = _scalar_of(v) if not self.is_stream(v) else None
            if const is not None and (not info[0] or all(d == 1 for d in info[0])):
                consts[len(tensors)] = float(const)
                tensors.append(None)
            else:
                tensors.append(v)
        inputs = [self.as_channel(v, out, loc) for v in tensors if v is not None]
        result, block = S.map_(inputs, ir.F32Type.get(), loc=loc)
        with ir.InsertionPoint(block), loc:
            args, it = [], iter(block.arguments)
            for i, v in enumerate(tensors):
                args.append(_c(consts[i]) if v is None else next(it))
            S.yield_([build(args, scalars)])
        self._set(op, result)

    def _permute(self, op, loc):
        src, perm = op.operands
        ch = self.streams[src]
        rank = len(S.channel_info(ch.type).shape)
        perm = [d % rank for d in _int_list(perm)]
        if perm[0] != 0:
            warn(op, f"permutes the batch dimension: this {BUFFERING}")
        self._set(op, S.transpose(ch, perm, loc=loc))

    def _mm(self, op, loc):
        x, w = op.operands
        if self.is_stream(x) and self.is_stream(w):
            warn(op, f"multiplies two batch-dependent tensors: this {BUFFERING}")
            self._set(op, S.matmul(self.streams[x], self.streams[w], lanes=self.lanes, loc=loc))
            return
        if not self.is_stream(x):  # W @ S = (S^T W^T)^T: the stream's rows are its columns
            warn(op, f"multiplies a weight by a batch-dependent tensor on the right: this {BUFFERING}")
            buf, transposed = self.weight_buffer(x, loc)
            st = S.transpose(self.streams[w], [1, 0], loc=loc)
            prod = S.matmul(st, buf, transpose_w=not transposed, lanes=self.lanes, loc=loc)
            self._set(op, S.transpose(prod, [1, 0], loc=loc))
            return
        buf, transposed = self.weight_buffer(w, loc)
        self._set(op, S.matmul(self.streams[x], buf, transpose_w=transposed, lanes=self.lanes, loc=loc))

    def _select(self, op, ch, dim, index, out, loc):
        info = S.channel_info(ch.type)
        dim = dim % len(info.shape)
        if dim == 0:
            warn(op, f"selects one sample of the batch: this {BUFFERING}")
        index = index % info.shape[dim]
        sizes = list(info.shape)
        sizes[dim] = 1
        offsets = [0] * len(sizes)
        offsets[dim] = index
        sl = S.slice_(ch, offsets, sizes, lanes=1, loc=loc)
        self._set(op, S.reshape(sl, out, loc=loc))

    def _slice(self, op, loc):
        src, dim, start, end, step = op.operands
        ch = self.streams[src]
        info = S.channel_info(ch.type)
        dim = _scalar_of(dim) % len(info.shape)
        size = info.shape[dim]
        start = _scalar_of(start) or 0
        end = _scalar_of(end)
        end = size if end is None or end > size else end
        step = _scalar_of(step) or 1
        start, end = start % size if start < 0 else start, end % size if end < 0 else end
        if dim == 0 and step > 1 and size % step == 0 and start < step and end == size:
            self._set(op, subsample(ch, step, start, loc=loc))  # every step-th sample: streams, holds nothing
            return
        if dim == 0:
            warn(op, f"slices the batch dimension: this {BUFFERING}")
        offsets = [0] * len(info.shape)
        sizes = list(info.shape)
        strides = [1] * len(info.shape)
        offsets[dim], sizes[dim], strides[dim] = start, len(range(start, end, step)), step
        self._set(op, S.slice_(ch, offsets, sizes, strides, lanes=1, loc=loc))

    def _sum(self, op, out, loc, mean=False):
        src, dims, keepdim = list(op.operands)[:3]
        ch = self.streams[src]
        shape = S.channel_info(ch.type).shape
        rank = len(shape)
        listed = not isinstance(dims.owner, ir.Block) and dims.owner.name == "torch.prim.ListConstruct"
        dims = sorted({d % rank for d in (_int_list(dims) if listed else range(rank))})  # None: all dims
        if 0 in dims:
            warn(op, f"{'averages' if mean else 'sums'} over the batch dimension: this {BUFFERING}")
        red = S.reduce(ch, dims, loc=loc)
        if mean:
            count = int(np.prod([shape[d] for d in dims]))
            red, block = S.map_([red], ir.F32Type.get(), loc=loc)
            with ir.InsertionPoint(block), loc:
                S.yield_([arith.mulf(block.arguments[0], _c(1.0 / count))])
        if list(S.channel_info(red.type).shape) != list(out):
            red = S.reshape(red, out, loc=loc)
        self._set(op, red)

    def _cat(self, op, out, loc):
        items = list(op.operands[0].owner.operands)
        dim = _scalar_of(op.operands[1]) % len(out)
        if dim == 0:
            warn(op, f"concatenates along the batch dimension: this {BUFFERING}")
        chans = [self.as_channel(v, vtensor_shape_dtype(v.type)[0], loc) for v in items]
        acc = chans[0]
        for ch in chans[1:]:
            if acc.type != ch.type:
                raise PassError(op, "concatenates tensors of different shapes (not supported yet)")
        acc = S.concat(chans, dim, lanes=1, loc=loc) if len(chans) > 1 else chans[0]
        self._set(op, acc)


_RESOURCE_RE = re.compile(r'^\s*([\w.]+): "0x([0-9A-Fa-f]+)"', re.M)
_DTYPES = {"float32": np.float32, "float64": np.float64, "int64": np.int64, "int32": np.int32, "bool": np.bool_}


def module_resources(module_op) -> dict:
    """Blobs of `dense_resource` constants (name -> flat numpy array).

    The bindings give no access to resource data, so it is read back from
    the printed module: a 4-byte alignment header, then raw little-endian
    values whose dtype torch-mlir puts at the end of the name.
    """
    text = module_op.get_asm()
    if "dialect_resources" not in text:
        return {}
    out = {}
    for name, hexdata in _RESOURCE_RE.findall(text.split("dialect_resources", 1)[1]):
        dtype = _DTYPES.get(name.rsplit("torch.", 1)[-1], np.float32)
        out[name] = np.frombuffer(bytes.fromhex(hexdata)[4:], dtype=dtype).astype(np.float32)
    return out


def convert_function(func_op, lanes: int = 1, resources: dict | None = None) -> None:
    """Lowers every batch-dependent op of one torch-dialect function."""
    block = func_op.regions[0].blocks[0]
    if not len(block.arguments):
        raise PassError(func_op, "function has no arguments; expected the coordinates as argument 0")
    coords = block.arguments[0]
    shape = vtensor_shape_dtype(coords.type)
    if shape is None or len(shape[0]) != 2:
        raise PassError(func_op, f"argument 0 must be the coordinate batch !torch.vtensor<[B,in],f32>, got {coords.type}")
    conv = _Converter(shape[0][0], lanes, resources=resources or {})
    ops = body_ops(func_op)
    term = ops[-1]
    with ir.InsertionPoint(term), func_op.location:
        loc = func_op.location
        conv.streams[coords] = S.load(conv._cast(coords, loc), lanes=1, loc=loc)
        for op in ops[:-1]:
            conv.convert(op)
        results = []
        for v in term.operands:
            if conv.is_stream(v):
                stored = S.store(conv.streams[v], loc=term.location)
                back = ir.Operation.create(
                    "builtin.unrealized_conversion_cast", results=[v.type], operands=[stored], loc=term.location
                ).result
                results.append(back)
            else:
                results.append(v)
    for i, v in enumerate(results):
        term.operands[i] = v
    for op in reversed(conv.converted):
        if all(not list(r.uses) for r in op.results):
            op.erase()
    load = conv.streams[coords].owner
    if not list(load.results[0].uses):  # nothing streams: leave the function as it was
        cast = load.operands[0].owner
        load.erase()
        cast.erase()
        return
    _erase_dead_torch_ops(func_op)
    for op in reversed(body_ops(func_op)):  # kernels a pattern bypassed (repeat's expand)
        if op.name.startswith("stream.") and op.name != "stream.store" and all(not list(r.uses) for r in op.results):
            op.erase()
    func_op.attributes[S.IMPLICIT_FORKS_ATTR] = ir.UnitAttr.get()


def _erase_dead_torch_ops(func_op) -> None:
    """Weight views are now stream.weights attributes: drop the torch ops
    left without users (torch ops declare no effects, so DCE keeps them)."""
    for op in reversed(body_ops(func_op)):
        if op.name.startswith("torch.") and all(not list(r.uses) for r in op.results):
            op.erase()


@dataclasses.dataclass(frozen=True)
class ConvertTorchToStreamPass(ModulePass):
    """Lower batch-dependent torch ops to stream kernels (weights stay tensors).

    Every tensor that depends on the coordinates becomes a channel streamed
    sample by sample; matmuls read weights from on-chip buffers (`W^T` via
    `transpose_w`); chains of elementwise ops become one `stream.map` each
    (see stream-fuse-elementwise). Ops that need the whole batch buffered
    get a warning naming the op and become barrier kernels. The function is
    marked `stream.implicit_forks`; run stream-insert-forks afterwards.
    """

    name = "convert-torch-to-stream"
    lanes: int = option(1, "elements per FIFO word of every channel it creates (stream-parallelize chooses them later)")

    def apply(self, module: ir.Module) -> None:
        for f in funcs(module):
            if S.IMPLICIT_FORKS_ATTR in f.attributes or not any(
                op.name.startswith("torch.") for op in body_ops(f)
            ):
                continue  # already converted, or nothing to convert
            convert_function(f, self.lanes, module_resources(module.operation))
