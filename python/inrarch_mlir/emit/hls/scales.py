"""Fixed-point scales: one power-of-two exponent per coefficient row of a channel, from measured ranges.

A channel stores `v * 2^-s` in `data_t`. Scales are chosen per *scale
variable*; every element of a sample's flat stream on every FIFO is labelled
with one (`ChannelScales.labels`), and a row of a Taylor-mode channel (its
primal, then each partial: `numeric.rows`) gets its own, so a partial 1e4 x
the primal no longer costs the primal its fraction bits.

How the labels travel (one sample, in program order):

- a kernel that copies stored words (fork, slice, concat, transpose, a
  channel broadcast: `GATHERS`) gives each output element its source
  element's label, found by running the kind's NumPy `evaluate` on element
  indices (so a slice of rows takes those rows' scales, a concat stacks
  them);
- a jet takes one scale per input row (its functor shifts each argument by
  its own) and gives each output row a new variable;
- a matmul streams every row of a sample through one weight buffer of one
  scale s_w, with no shift (`inrarch::matmul` is row-oblivious), so output
  row j is stored at s_x(j) + s_w: each input row must be uniform, and the
  output rows get a variable per input variable (`_solve`);
- any other kernel (a map, a load, a store, a reduction, a buffer
  broadcast) has one scale per port in C++: its input channels are made
  uniform (their variables merged) and its output gets one variable.

A design whose samples interact (barrier kernels) keeps one variable per
channel (rows are not tracked across the batch).

Each variable keeps max|v| * 2^-s <= limit / MARGIN over the elements
labelled with it; weights must fit the type exactly (their values are
known). For a matmul, s_w = max(the weights' floor, max over its rows of
desired s_y(j) - s_x(j)) and every output row is raised to s_x(j) + s_w: a
row whose gain through W is below the largest pays the difference (a few
bits) in its output rather than raising its input's scale, which would cost
the same bits in that row and in every other reader of the input. An input
row measured identically zero takes whatever scale the output needs instead
(its values are zero). Raised rows can raise other matmuls' s_w; the
constraints are iterated to their least solution.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ...dialects import stream_types as S
from ...kernels import KINDS
from ...kernels.base import SCALE_THROUGH
from ...numeric import ranges as R
from ...numeric.interpreter import Evaluation
from ...union_find import UnionFind
from .design import Design, EmitError
from .precision import Precision

#: A channel's stored values are kept below limit / MARGIN (2 bits of
#: headroom over the measured range: the range comes from sampled inputs).
MARGIN = 4.0

#: Kinds that copy stored words unchanged (their scale rule "through"): an
#: output element is stored at its source element's scale.
GATHERS = frozenset({"stream.fork", "stream.slice", "stream.concat", "stream.transpose", "stream.repeat",
                     "stream.subsample", "stream.broadcast"})

#: Rounds of the matmul constraint iteration before giving up (a cycle of
#: constraints with a nonzero gain has no solution).
MAX_ROUNDS = 1000


def _ceil_log2(x: float) -> int:
    return int(math.ceil(math.log2(x) - 1e-12))


@dataclass
class ChannelScales:
    """The solved scales: per kernel result, the scale of every element of one
    sample's flat stream (one entry for the whole channel in a design whose
    samples interact), and per weights op its scale."""

    of: dict  # (op, result index) -> np.ndarray of int scale exponents
    weights: dict  # weights op -> int

    def uniform(self, key) -> int | None:
        """The channel's one scale, or None when its elements differ."""
        s = self.of.get(key)
        if s is None:
            return 0
        return int(s[0]) if np.all(s == s[0]) else None

    def rows(self, key, rows: int) -> list[int] | None:
        """The scale of each of `rows` equal chunks of a sample (None when a chunk is not uniform)."""
        s = self.of.get(key)
        if s is None:
            return [0] * rows
        if s.size == 1:
            return [int(s[0])] * rows
        if s.size % rows:
            return None
        chunks = s.reshape(rows, -1)
        if not np.all(chunks == chunks[:, :1]):
            return None
        return [int(x) for x in chunks[:, 0]]

    def summary(self, key):
        """design.json's entry: one int, or the scales of the rows (the finest
        uniform chunks of a sample) when they differ."""
        s = self.of[key]
        if np.all(s == s[0]):
            return int(s[0])
        cuts = np.flatnonzero(np.diff(s)) + 1
        step = math.gcd(int(s.size), *(int(c) for c in cuts))
        return [int(x) for x in s[::step]]


class _Vars:
    """Scale variables (ints) with union-find and their measured maxima."""

    def __init__(self):
        self.uf = UnionFind()
        self.count = 0
        self.vmax: dict[int, float] = {}

    def new(self) -> int:
        self.count += 1
        return self.count - 1

    def find(self, v: int) -> int:
        return self.uf.find(int(v))

    def merge(self, labels: np.ndarray) -> int:
        """Makes every variable of `labels` one; returns it."""
        vs = [int(v) for v in np.unique(labels)]
        for v in vs[1:]:
            self.uf.union(v, vs[0])
        return self.find(vs[0])

    def note(self, labels: np.ndarray, maxima: np.ndarray) -> None:
        """Records the measured max |v| of each labelled element."""
        uniq, inv = np.unique(labels, return_inverse=True)
        m = np.zeros(len(uniq))
        np.maximum.at(m, inv.reshape(-1), maxima.reshape(-1))
        for u, x in zip(uniq, m):
            self.vmax[int(u)] = max(self.vmax.get(int(u), 0.0), float(x))


def _element_maxima(rows: list[float], size: int) -> np.ndarray:
    """Each element's bound from a result's row maxima (`ranges.read_rows`)."""
    if len(rows) > 1 and size % len(rows) == 0:
        return np.repeat(np.asarray(rows, dtype=np.float64), size // len(rows))
    return np.full(size, max(rows) if rows else 0.0)


def _gather(op, in_labels: list[np.ndarray], in_shapes: list[tuple], batch: int) -> list[np.ndarray] | None:
    """Labels of a copying kernel's outputs: its `evaluate` on element
    indices (two samples, the second checked against the first), or None when
    an output element is not a per-sample copy of an input element."""
    kind = KINDS[op.name]
    ev = Evaluation(2, False, None, {}, batch)
    sizes = [lab.size for lab in in_labels]
    offsets = np.concatenate([[0], np.cumsum([2 * s for s in sizes])]).astype(np.int64)
    ins = [(offsets[k] + np.arange(2 * sizes[k])).astype(np.float64).reshape(ev.batched(in_shapes[k]))
           for k in range(len(in_labels))]
    try:
        outs = kind.evaluate(op, ins, ev)
    except (ValueError, IndexError, TypeError):
        return None
    table = np.concatenate([np.concatenate([lab, lab]) for lab in in_labels])
    result = []
    for o in outs:
        g = np.asarray(o).reshape(-1)
        if g.size % 2 or g.size == 0:
            return None
        g0, g1 = g[: g.size // 2].astype(np.int64), g[g.size // 2:].astype(np.int64)
        k = np.searchsorted(offsets, g0, side="right") - 1
        if np.any(k < 0) or np.any(k >= len(sizes)):
            return None
        local = g0 - offsets[k]
        step = np.asarray(sizes, dtype=np.int64)[k]
        if np.any(local >= step) or np.any(g1 != g0 + step):
            return None
        result.append(table[g0])
    return result


def _sample_size(value, coupled: bool, batch: int) -> int:
    """Elements of one sample of a channel (1: one scale for the whole channel when samples interact)."""
    if coupled:
        return 1
    return max(1, math.prod(Evaluation(1, False, None, {}, batch).batched(S.channel_info(value.type).shape)))


def solve_scales(prec: Precision, ops, names, in_key, weights_info, design: Design) -> ChannelScales:
    """The scale of every element of every kernel result, and of every weights
    op, from the `stream.max_abs` annotations (module docstring); records
    them in `design.scales`."""
    limit = prec.limit
    lo = -(prec.width - prec.int_bits)
    coupled, batch = design.coupled, design.batch
    V = _Vars()
    labels: dict = {}
    pairs: dict = {}  # matmul op -> [(input variable, output variable)] per row
    out_of: dict = {}  # matmul op -> {input root: output variable}
    for op in ops:
        if op not in names:
            continue
        kind = KINDS[op.name]
        rule = kind.scale_rule(op)
        ins = [(i, labels[in_key[(op, i)]]) for i in range(len(op.operands)) if (op, i) in in_key]
        if op.name == "stream.store":
            for _, lab in ins:
                V.merge(lab)
            continue
        rng = R.read_rows(op)
        if rng is None:
            raise EmitError(f"fixed-point emission needs range annotations ({R.MAX_ABS_ATTR}) on every kernel; "
                            "emit through `inrarch compile` / `inrarch_mlir.compiler.Compilation`, which run the "
                            "range analysis", op)
        sizes = [_sample_size(res, coupled, batch) for res in op.results]
        outs, copied = None, False
        if rule == SCALE_THROUGH:
            if not coupled and op.name in GATHERS and ins:
                outs = _gather(op, [lab for _, lab in ins],
                               [S.channel_info(op.operands[i].type).shape for i, _ in ins], batch)
                copied = outs is not None and all(o.size == s for o, s in zip(outs, sizes))
            if not copied:
                v = V.new()
                for _, lab in ins:
                    V.uf.union(V.merge(lab), v)
                outs = [np.full(s, V.find(v)) for s in sizes]
        elif op.name == "stream.jet" and not coupled:
            for i, lab in ins:
                r = S.channel_info(op.operands[i].type).shape[1]
                for chunk in lab.reshape(r, -1):
                    V.merge(chunk)
            ro = S.channel_info(op.results[0].type).shape[1]
            outs = [np.repeat(np.asarray([V.new() for _ in range(ro)]), sizes[0] // ro)]
        elif op.name == "stream.matmul":
            if not ins or ins[0][0] != 0:
                raise EmitError("fixed-point emission needs the matmul's activation (operand 0) to be a channel "
                                "from a kernel", op)
            lab = ins[0][1]
            k = S.channel_info(op.operands[0].type).shape[1]
            rows = [V.merge(chunk) for chunk in (lab.reshape(-1, k) if lab.size % k == 0 and lab.size > 1
                                                 else lab.reshape(1, -1))]
            table = out_of.setdefault(op, {})
            outv = []
            for iv in rows:
                ov = table.setdefault(V.find(iv), V.new())
                outv.append(ov)
                pairs.setdefault(op, []).append((iv, ov))
            outs = [np.repeat(np.asarray(outv), sizes[0] // len(outv)) if sizes[0] % len(outv) == 0
                    else np.full(sizes[0], V.merge(np.asarray(outv)))]
        else:  # one scale per port in C++
            for _, lab in ins:
                V.merge(lab)
            outs = [np.full(s, V.new()) for s in sizes]
        for r, (res, lab) in enumerate(zip(op.results, outs)):
            labels[(op, r)] = lab
            if r < len(rng) and not copied:  # a copy's values are its sources', already bounded
                V.note(lab, _element_maxima(rng[r], lab.size))
    wmax = {}
    for w in weights_info:
        rng = R.read(w)
        if rng is None:
            raise EmitError(f"fixed-point emission needs a {R.MAX_ABS_ATTR} annotation on every stream.weights", w)
        wmax[w] = rng[0]
    scale, sw = _solve(V, pairs, labels, weights_info, wmax, limit, lo)
    table = np.asarray([scale[V.find(v)] for v in range(V.count)], dtype=np.int64)
    result = ChannelScales({key: table[lab] for key, lab in labels.items()}, {})
    for w, (wname, consumer, _, _, _) in weights_info.items():
        if consumer.name == "stream.matmul":
            s = sw.get(consumer, lo)
        else:
            s = result.uniform((consumer, 0))
            if s is None:
                raise EmitError(f"weight buffer read by a '{consumer.name}' whose output rows have different "
                                "fixed-point scales; expected one", w)
        result.weights[w] = s
        design.scales[wname] = s
    for key in labels:
        design.scales[f"{names[key[0]]}.out{key[1]}"] = result.summary(key)
    return result


def _solve(V: _Vars, pairs: dict, labels: dict, weights_info: dict, wmax: dict, limit: float, lo: int):
    """Least scales meeting every range and the matmul rows' s_y = s_x + s_w
    (module docstring); returns (root -> scale, matmul -> s_w)."""
    # Rows of one matmul whose inputs are one variable are one variable, and
    # the other way round: close the pairing under the unions made since.
    changed = True
    while changed:
        changed = False
        for op, prs in pairs.items():
            fwd, back = {}, {}
            for iv, ov in prs:
                gi, go = V.find(iv), V.find(ov)
                if fwd.setdefault(gi, go) != go:
                    V.uf.union(go, fwd[gi])
                    changed = True
                if back.setdefault(go, gi) != gi:
                    V.uf.union(gi, back[go])
                    changed = True
    gmax: dict = {}
    for v, m in V.vmax.items():
        g = V.find(v)
        gmax[g] = max(gmax.get(g, 0.0), m)
    roots = {V.find(v) for v in range(V.count)}
    desired = {g: max(lo, _ceil_log2(gmax[g] * MARGIN / limit)) if gmax.get(g, 0.0) > 0 else lo for g in roots}

    def w_floor(m):  # smallest s with m * 2^-s <= 0.99 * limit
        return max(lo, _ceil_log2(m / (0.99 * limit))) if m > 0 else lo

    mm_floor: dict = {}
    others = []  # (weights op, output roots of its non-matmul reader, floor)
    for w, (_, consumer, _, _, _) in weights_info.items():
        if consumer.name == "stream.matmul":
            mm_floor[consumer] = max(mm_floor.get(consumer, lo), w_floor(wmax[w]))
        else:
            outs = {V.find(v) for r in range(len(consumer.results)) if (consumer, r) in labels
                    for v in np.unique(labels[(consumer, r)])}
            others.append((w, outs, w_floor(wmax[w])))
    scale = dict(desired)
    sw: dict = {}
    for _ in range(MAX_ROUNDS):
        changed = False
        for _, outs, need in others:
            for g in outs:
                if scale[g] < need:
                    scale[g], changed = need, True
        for op, prs in pairs.items():
            rows = sorted({(V.find(iv), V.find(ov)) for iv, ov in prs})
            live = [scale[go] - scale[gi] for gi, go in rows if gmax.get(gi, 0.0) > 0]
            s = max([mm_floor.get(op, lo)] + live)
            sw[op] = s
            for gi, go in rows:
                if scale[go] < scale[gi] + s:
                    scale[go], changed = scale[gi] + s, True
                elif scale[go] > scale[gi] + s:  # an input row measured zero: it follows its output
                    scale[gi], changed = scale[go] - s, True
        if not changed:
            return scale, sw
    op = next(iter(pairs))
    raise EmitError(f"the fixed-point scale constraints of the matmul rows (s_y = s_x + s_w) do not settle after "
                    f"{MAX_ROUNDS} rounds: a cycle of channels with a nonzero weight scale; use --precision float", op)
