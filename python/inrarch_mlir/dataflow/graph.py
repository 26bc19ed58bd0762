"""Dataflow graphs of streaming kernels joined by FIFOs, with their static timing.

A design is a DAG of kernels; every edge is a FIFO that carries a fixed
number of words per run.  Each kernel is a fixed program of *phases* (see
:class:`Phase`) grouped into *stages*; stage q repeats ``repeats[q]`` times
(by default once per sample of the batch), so its reads and writes, and the
nominal cycle at which each happens, are known statically.  A kernel whose
stages repeat different numbers of times changes the number of rows on the
way through: a whole-tensor *barrier* (a transpose of the batch, a sum over
the batch) reads every input row in stage 0 and writes every output row in
its last stage.  That is what
lets :mod:`.balance` size FIFOs by linear programming, :mod:`.deadlock` prove
deadlock freedom, and :mod:`.simulate` replay the design cycle by cycle.

The factories on :class:`Kernel` are the contract with the C++ kernels in
``hls_runtime/``: their phases are those kernels' exact program orders.
Ports are named ``in0, in1, ...`` and ``out0, out1, ...``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Iterable, Mapping, Sequence

from .loops import MatmulLoop, matmul_compute_cycles, stream_in_delay
from .phase import (Phase, _serial_read_phase, _write_phases, serial_read_steps, serial_write_steps,
                    stepped_phases)

__all__ = ["Phase", "Kernel", "Edge", "DataflowGraph", "GraphBuilder", "Depths", "MatmulLoop", "matmul_compute_cycles",
           "serial_read_steps", "serial_write_steps", "stepped_phases", "stream_in_delay"]

#: FIFO depths keyed by edge name; ``None`` means unbounded.
Depths = Mapping[str, "int | None"]


def _port_index(port: str) -> int:
    digits = port.lstrip("abcdefghijklmnopqrstuvwxyz_")
    return int(digits) if digits else 0


@dataclass(frozen=True)
class Kernel:
    """A streaming process: a name, a kind, and its phase program.

    ``params`` records the factory arguments (for reports and JSON);
    ``prologue_cycles`` is a one-off delay before sample 0 (a matmul loading
    its weights), modelled without an edge.  ``repeats`` gives each stage's
    repetition count; empty means every stage repeats ``samples`` times.
    """

    name: str
    kind: str
    phases: tuple[Phase, ...]
    samples: int = 1
    latency: int = 0
    prologue_cycles: int = 0
    params: Mapping[str, object] = field(default_factory=dict)
    repeats: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "phases", tuple(self.phases))
        object.__setattr__(self, "params", dict(self.params))
        object.__setattr__(self, "repeats", tuple(int(r) for r in self.repeats))
        if not self.phases:
            raise ValueError(f"kernel {self.name!r} has no phases")
        if self.samples < 1:
            raise ValueError(f"kernel {self.name!r} has samples={self.samples}; expected >= 1")
        if self.prologue_cycles < 0:
            raise ValueError(f"kernel {self.name!r} has prologue_cycles={self.prologue_cycles} < 0")
        stages = [p.stage for p in self.phases]
        if stages != sorted(stages) or stages[0] != 0 or any(b - a > 1 for a, b in zip(stages, stages[1:])):
            raise ValueError(f"kernel {self.name!r} has phase stages {stages}; expected 0, 1, ... in order")
        if self.repeats and (len(self.repeats) != stages[-1] + 1 or min(self.repeats) < 1):
            raise ValueError(f"kernel {self.name!r} has repeats {list(self.repeats)}; expected one count "
                             f">= 1 per stage ({stages[-1] + 1} stages)")

    # -- structure -----------------------------------------------------------------
    @property
    def in_ports(self) -> list[str]:
        ports = {p for ph in self.phases for p in ph.reads}
        return sorted(ports, key=_port_index)

    @property
    def out_ports(self) -> list[str]:
        ports = {p for ph in self.phases for p in ph.writes}
        return sorted(ports, key=_port_index)

    @property
    def stages(self) -> list[tuple[Phase, ...]]:
        """Phases grouped by stage; each group runs once per sample."""
        out: list[list[Phase]] = []
        for ph in self.phases:
            if ph.stage == len(out):
                out.append([])
            out[-1].append(ph)
        return [tuple(s) for s in out]

    @property
    def stage_repeats(self) -> tuple[int, ...]:
        """How many times each stage runs."""
        return self.repeats or (self.samples,) * len(self.stages)

    def words_read(self, port: str) -> int:
        """Words read on ``port`` per repetition of its stage(s)."""
        return sum(ph.reads.get(port, 0) for ph in self.phases)

    def words_written(self, port: str) -> int:
        """Words written on ``port`` per repetition of its stage(s)."""
        return sum(ph.writes.get(port, 0) for ph in self.phases)

    def total_read(self, port: str) -> int:
        """Words read on ``port`` over the whole run."""
        return sum(r * sum(ph.reads.get(port, 0) for ph in st)
                   for r, st in zip(self.stage_repeats, self.stages))

    def total_written(self, port: str) -> int:
        """Words written on ``port`` over the whole run."""
        return sum(r * sum(ph.writes.get(port, 0) for ph in st)
                   for r, st in zip(self.stage_repeats, self.stages))

    @property
    def stage_cycles(self) -> list[int]:
        """Cycles of one repetition of each stage."""
        return [sum(ph.duration for ph in st) for st in self.stages]

    @property
    def period(self) -> int:
        """Cycles per repetition at full speed: the longest repeating stage's time.

        Stages that run once (the write-out of a barrier) do not bound the
        throughput; a kernel made only of them reports its longest stage."""
        reps = self.stage_repeats
        cycles = [c for c, r in zip(self.stage_cycles, reps) if r > 1]
        return max(cycles or self.stage_cycles)

    @property
    def total_cycles(self) -> int:
        """Cycles for the whole run of this kernel alone (no stalls)."""
        return self.prologue_cycles + sum(r * c for r, c in zip(self.stage_repeats, self.stage_cycles))

    # -- factories: the exact program orders of the C++ kernels ---------------------
    @classmethod
    def load(cls, name: str, words: int, *, samples: int = 1) -> Kernel:
        """Stream a tensor in from memory: W words per sample in W cycles."""
        return cls(name, "load", (Phase(words, writes={"out0": words}),), samples,
                   params={"words": words})

    @classmethod
    def store(cls, name: str, words: int, *, samples: int = 1) -> Kernel:
        """Stream a tensor out to memory: W words per sample in W cycles."""
        return cls(name, "store", (Phase(words, reads={"in0": words}),), samples,
                   params={"words": words})

    @classmethod
    def map(cls, name: str, words: int, n_inputs: int = 1, latency: int = 1, *,
            samples: int = 1) -> Kernel:
        """Elementwise op, II=1: reads word w of every input, writes word w after ``latency``."""
        if n_inputs < 1:
            raise ValueError(f"map {name!r} needs n_inputs >= 1, got {n_inputs}")
        reads = {f"in{i}": words for i in range(n_inputs)}
        return cls(name, "map", (Phase(words, reads, {"out0": words}, latency),), samples,
                   latency, params={"words": words, "n_inputs": n_inputs})

    @classmethod
    def fork(cls, name: str, words: int, n_outputs: int = 2, *, samples: int = 1) -> Kernel:
        """Copy one stream to N outputs, one word per cycle to all of them."""
        if n_outputs < 1:
            raise ValueError(f"fork {name!r} needs n_outputs >= 1, got {n_outputs}")
        writes = {f"out{i}": words for i in range(n_outputs)}
        return cls(name, "fork", (Phase(words, {"in0": words}, writes),), samples,
                   params={"words": words, "n_outputs": n_outputs})

    @classmethod
    def broadcast(cls, name: str, words_out: int, words_in: int | None = None, *,
                  latency: int = 0, samples: int = 1, row_in: int | None = None, lanes_in: int = 1,
                  row_out: int | None = None, lanes_out: int = 1, prologue_cycles: int = 0) -> Kernel:
        """Replicate a value: from an on-chip buffer (no input) or read a channel first.

        The read is an element-serial loop over ``row_in`` elements (default:
        one per word), reading a word every ``lanes_in`` elements; the write is
        a loop over the ``words_out`` words, or, with ``row_out``, an
        element-serial loop packing ``lanes_out`` elements per word (the
        per-sample transpose).  ``prologue_cycles``: a buffer's load."""
        phases = []
        if words_in is not None or row_in is not None:
            phases.append(_serial_read_phase("in0", words_in, row_in, lanes_in))
        phases += _write_phases("out0", words_out, row_out, lanes_out, latency)
        return cls(name, "broadcast", tuple(phases), samples, latency, prologue_cycles,
                   params={"words_out": words_out, "words_in": words_in})

    @classmethod
    def reduce(cls, name: str, words_in: int, words_out: int = 1, latency: int = 1, *,
               samples: int = 1, row_in: int | None = None, lanes_in: int = 1, row_out: int | None = None,
               lanes_out: int = 1, prologue_cycles: int = 0) -> Kernel:
        """Read a whole sample, then write the result (``latency``: the adder and the combine of
        the partial sums, see `kernels.reduce`).

        A full reduction reads one word per cycle and writes its word; a
        partial one (``row_in``/``row_out`` given) reads element by element
        and writes ``row_out`` elements packed ``lanes_out`` per word, after
        zeroing its accumulators once (``prologue_cycles``)."""
        phases = [_serial_read_phase("in0", words_in, row_in, lanes_in)]
        phases += _write_phases("out0", words_out, row_out, lanes_out, latency)
        return cls(name, "reduce", tuple(phases), samples, latency, prologue_cycles,
                   params={"words_in": words_in, "words_out": words_out})

    @classmethod
    def slice(cls, name: str, words_in: int, words_out: int, *, samples: int = 1, row_in: int | None = None,
              lanes_in: int = 1, write_steps: Sequence[int] | None = None) -> Kernel:
        """Pass a subset through: reads Win and writes Wout <= Win words in Win cycles.

        With ``row_in`` the loop runs over the elements (a word read every
        ``lanes_in``) and ``write_steps`` gives the element after which each
        output word is complete (C++ `inrarch::slice`)."""
        if words_out > words_in and row_in is None:
            raise ValueError(f"slice {name!r} writes {words_out} words from {words_in}; expected <=")
        if write_steps is None:
            return cls(name, "slice", (Phase(words_in, {"in0": words_in}, {"out0": words_out}),),
                       samples, params={"words_in": words_in, "words_out": words_out})
        row_in = words_in if row_in is None else row_in
        if len(write_steps) != words_out:
            raise ValueError(f"slice {name!r}: {len(write_steps)} write steps for {words_out} words")
        phases = stepped_phases(row_in, {"in0": serial_read_steps(row_in, lanes_in)}, {"out0": write_steps})
        return cls(name, "slice", tuple(phases), samples, params={"words_in": words_in, "words_out": words_out})

    @classmethod
    def concat(cls, name: str, words_in: Sequence[int], *, samples: int = 1, chunks: Sequence[int] | None = None,
               lanes_in: Sequence[int] | None = None, lanes_out: int = 1, outer: int = 1) -> Kernel:
        """Append inputs: one phase per input, copying its Wi words through.

        With ``chunks`` (elements of input i per outer step; C++
        `inrarch::concat`), per sample and for each of the ``outer`` steps one
        element-serial loop per input: input i's words are read every
        ``lanes_in[i]`` of its elements, output words written when
        ``lanes_out`` elements (or the row) are complete."""
        if chunks is None:
            phases = tuple(Phase(w, {f"in{i}": w}, {"out0": w}) for i, w in enumerate(words_in))
            return cls(name, "concat", phases, samples, params={"words_in": list(words_in)})
        lanes_in = [1] * len(chunks) if lanes_in is None else list(lanes_in)
        row = outer * sum(chunks)
        phases, pos = [], [0] * len(chunks)
        out = 0
        for _ in range(outer):
            for i, c in enumerate(chunks):
                rd = [e for e in range(c) if (pos[i] + e) % lanes_in[i] == 0]
                wr = [e for e in range(c) if (out + e + 1) % lanes_out == 0 or out + e + 1 == row]
                phases.append(Phase(c, {f"in{i}": len(rd)}, {"out0": len(wr)},
                                    read_steps={f"in{i}": rd}, write_steps={"out0": wr}))
                pos[i] += c
                out += c
        return cls(name, "concat", tuple(phases), samples, params={"words_in": list(words_in)})

    @classmethod
    def matmul(cls, name: str, k: int, n: int, lanes_in: int = 1, lanes_out: int = 1,
               macs: int = 1, latency: int = 1, *, prologue_cycles: int = 0,
               samples: int = 1, weight_rows: int = 0, weight_words: int = 0, interleave: int = 1,
               weight_lanes: int = 1, weight_chunk: int = 1) -> Kernel:
        """Dense layer with a double-buffered input row: it reads row b+1 while it computes row b.

        A row takes ceil(k/lanes_in) input words and C = the MAC loop's
        iterations (:class:`MatmulLoop`: about k*n/macs, accumulators
        interleaved by ``interleave``, the adder latency L) producing
        ceil(n/lanes_out) output words, each written (``latency`` later) in
        the iteration that completes it.  Stages: read row 0; then,
        samples-1 times, one row of the MAC loop (R = max(C, ceil(k/lanes_in))
        iterations) that also reads the next row, its words spread evenly
        over the loop (word r at iteration floor(r*R/words)); then the last
        row's MAC loop (C iterations).  Weights load once before row 0: from
        memory (``prologue_cycles``), or, when ``weight_rows`` is set, from a
        stream on port ``in1`` (a first stage per row of ``weight_words``
        words of ``weight_lanes`` elements, loaded ``weight_chunk`` elements
        per iteration: a barrier on it).
        """
        loop = MatmulLoop(k, n, lanes_out, macs, interleave)
        w_in = -(-k // lanes_in)
        compute = loop.iterations
        rows = max(compute, w_in)
        steps = loop.write_steps()
        stages: list[list[Phase]] = []
        repeats: list[int] = []
        if weight_rows:
            if (weight_lanes % weight_chunk) != 0:
                raise ValueError(f"matmul {name!r}: weight chunk {weight_chunk} does not divide the weight "
                                 f"lanes {weight_lanes}")
            every = weight_lanes // weight_chunk
            stages.append([Phase(weight_words * every, reads={"in1": weight_words},
                                 read_steps={"in1": [r * every for r in range(weight_words)]})])
            repeats.append(weight_rows)
        stages.append([Phase(w_in, reads={"in0": w_in})])
        repeats.append(1)
        if samples > 1:
            stages.append(stepped_phases(rows, {"in0": [r * rows // w_in for r in range(w_in)]},
                                         {"out0": steps}, latency))
            repeats.append(samples - 1)
        stages.append(stepped_phases(compute, {}, {"out0": steps}, latency))
        repeats.append(1)
        phases = tuple(replace(ph, stage=q) for q, st in enumerate(stages) for ph in st)
        return cls(name, "matmul", phases, samples, latency, prologue_cycles,
                   params={"k": k, "n": n, "lanes_in": lanes_in, "lanes_out": lanes_out,
                           "macs": macs, "weight_rows": weight_rows, "interleave": interleave},
                   repeats=tuple(repeats))

    @classmethod
    def barrier(cls, name: str, words_in: int | Sequence[int], words_out: int | None = None, *,
                latency: int = 0, samples: int | Sequence[int] = 1,
                samples_out: int | None = None, kind: str = "barrier", row_in: Sequence[int] | None = None,
                lanes_in: Sequence[int] | None = None, row_out: int | None = None, lanes_out: int = 1,
                prologue_cycles: int = 0) -> Kernel:
        """Whole-tensor op: read every input row, then write every output row.

        Input i has ``samples[i]`` rows of ``words_in[i]`` words (one stage
        each, in order); the output has ``samples_out`` rows (default: the
        rows of input 0) of ``words_out`` words (default ``words_in[0]``).
        A transpose of the batch, a sum over the batch and a concatenation
        along it are barriers; so is a matmul whose weights are a stream.
        With ``row_in`` (elements per row of each input) the reads are
        element-serial loops reading a word every ``lanes_in[i]`` elements;
        with ``row_out`` the writes are too (``lanes_out`` per word).
        """
        ins = [words_in] if isinstance(words_in, int) else list(words_in)
        rows = [samples] * len(ins) if isinstance(samples, int) else list(samples)
        if len(rows) != len(ins):
            raise ValueError(f"barrier {name!r}: {len(ins)} inputs but {len(rows)} row counts")
        words_out = ins[0] if words_out is None else words_out
        samples_out = rows[0] if samples_out is None else samples_out
        elems = [None] * len(ins) if row_in is None else list(row_in)
        lanes = [1] * len(ins) if lanes_in is None else list(lanes_in)
        phases = [replace(_serial_read_phase(f"in{i}", w, e, li), stage=i)
                  for i, (w, e, li) in enumerate(zip(ins, elems, lanes))]
        phases += [replace(ph, stage=len(ins)) for ph in _write_phases("out0", words_out, row_out, lanes_out, latency)]
        return cls(name, kind, tuple(phases), rows[0], latency, prologue_cycles,
                   params={"words_in": ins if len(ins) > 1 else ins[0], "words_out": words_out,
                           "rows_in": rows, "rows_out": samples_out},
                   repeats=(*rows, samples_out))

    # -- serialisation ----------------------------------------------------------------
    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "kind": self.kind,
            "samples": self.samples,
            "latency": self.latency,
            "prologue_cycles": self.prologue_cycles,
            "params": dict(self.params),
            "phases": [ph.to_dict() for ph in self.phases],
            "repeats": list(self.repeats),
        }

    @classmethod
    def from_dict(cls, d: Mapping) -> Kernel:
        return cls(d["name"], d["kind"], tuple(Phase(**p) for p in d["phases"]),
                   d.get("samples", 1), d.get("latency", 0), d.get("prologue_cycles", 0),
                   d.get("params", {}), tuple(d.get("repeats", ())))


@dataclass(frozen=True)
class Edge:
    """A FIFO from ``src.src_port`` to ``dst.dst_port``.

    ``words`` is the total over the run; ``depth`` is in words (``None`` = unbounded).
    Its ``name`` (default ``"src.port->dst.port"``) keys depth dictionaries.
    """

    src: str
    src_port: str
    dst: str
    dst_port: str
    words: int
    bits_per_word: int = 32
    depth: int | None = None
    name: str = ""

    def __post_init__(self) -> None:
        if not self.name:
            object.__setattr__(self, "name", f"{self.src}.{self.src_port}->{self.dst}.{self.dst_port}")
        if self.words < 1:
            raise ValueError(f"edge {self.name!r} carries {self.words} words; expected >= 1")
        if self.bits_per_word < 1:
            raise ValueError(f"edge {self.name!r} has bits_per_word={self.bits_per_word}; expected >= 1")
        if self.depth is not None and self.depth < 1:
            raise ValueError(f"edge {self.name!r} has depth {self.depth}; expected >= 1 or None")

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in
                ("name", "src", "src_port", "dst", "dst_port", "words", "bits_per_word", "depth")}


class DataflowGraph:
    """A validated DAG of kernels and FIFO edges.

    Construction checks that names are unique, every port is connected to
    exactly one edge, the words an edge's producer writes over the run equal
    what its consumer reads (and the edge's ``words``), and the graph is
    acyclic.  Violations raise ValueError
    naming the offending kernel, port or edge.
    """

    def __init__(self, kernels: Iterable[Kernel], edges: Iterable[Edge]):
        self.kernels: list[Kernel] = list(kernels)
        self.edges: list[Edge] = list(edges)
        self._kernel = {k.name: k for k in self.kernels}
        self._edge = {e.name: e for e in self.edges}
        self._validate()
        self._topo = self._toposort()

    # -- validation ----------------------------------------------------------------
    def _validate(self) -> None:
        if len(self._kernel) != len(self.kernels):
            dup = sorted({k.name for k in self.kernels if sum(j.name == k.name for j in self.kernels) > 1})
            raise ValueError(f"duplicate kernel names: {dup}")
        if len(self._edge) != len(self.edges):
            dup = sorted({e.name for e in self.edges if sum(f.name == e.name for f in self.edges) > 1})
            raise ValueError(f"duplicate edge names: {dup}")
        used_out: dict[tuple[str, str], str] = {}
        used_in: dict[tuple[str, str], str] = {}
        for e in self.edges:
            for end, port, ports, used, what in (
                (e.src, e.src_port, "out_ports", used_out, "output"),
                (e.dst, e.dst_port, "in_ports", used_in, "input"),
            ):
                if end not in self._kernel:
                    raise ValueError(f"edge {e.name!r} refers to unknown kernel {end!r}")
                if port not in getattr(self._kernel[end], ports):
                    raise ValueError(
                        f"edge {e.name!r}: kernel {end!r} has no {what} port {port!r} "
                        f"(has {getattr(self._kernel[end], ports)})")
                if (end, port) in used:
                    raise ValueError(
                        f"{what} port {end}.{port} is connected to edges {used[(end, port)]!r} "
                        f"and {e.name!r}; expected exactly one (insert a fork)")
                used[(end, port)] = e.name
            wrote = self._kernel[e.src].total_written(e.src_port)
            read = self._kernel[e.dst].total_read(e.dst_port)
            if not (wrote == read == e.words):
                raise ValueError(
                    f"edge {e.name!r}: producer writes {wrote} words, consumer reads "
                    f"{read}, edge declares {e.words}; they must be equal")
        for k in self.kernels:
            for p in k.out_ports:
                if (k.name, p) not in used_out:
                    raise ValueError(f"output port {k.name}.{p} is not connected to any edge")
            for p in k.in_ports:
                if (k.name, p) not in used_in:
                    raise ValueError(f"input port {k.name}.{p} is not connected to any edge")

    def _toposort(self) -> list[str]:
        indeg = {k.name: 0 for k in self.kernels}
        succ: dict[str, list[str]] = {k.name: [] for k in self.kernels}
        for e in self.edges:
            indeg[e.dst] += 1
            succ[e.src].append(e.dst)
        ready = [k.name for k in self.kernels if indeg[k.name] == 0]
        order = []
        while ready:
            n = ready.pop()
            order.append(n)
            for m in succ[n]:
                indeg[m] -= 1
                if indeg[m] == 0:
                    ready.append(m)
        if len(order) != len(self.kernels):
            cyc = sorted(n for n, d in indeg.items() if d > 0)
            raise ValueError(f"graph has a cycle through kernels {cyc}; expected a DAG")
        return order

    # -- queries ---------------------------------------------------------------------
    def kernel(self, name: str) -> Kernel:
        return self._kernel[name]

    def edge(self, name: str) -> Edge:
        return self._edge[name]

    def topological_order(self) -> list[str]:
        return list(self._topo)

    def in_edges(self, kernel: str) -> list[Edge]:
        return [e for e in self.edges if e.dst == kernel]

    def out_edges(self, kernel: str) -> list[Edge]:
        return [e for e in self.edges if e.src == kernel]

    @property
    def samples(self) -> int:
        """The batch: the most rows any kernel stage runs over."""
        return max((r for k in self.kernels for r in k.stage_repeats), default=1)

    @property
    def period(self) -> int:
        """Throughput period P: the slowest kernel's cycles per repetition."""
        return max((k.period for k in self.kernels), default=1)

    def depths(self) -> dict[str, int | None]:
        """The depths annotated on the edges (``None`` = unbounded)."""
        return {e.name: e.depth for e in self.edges}

    def with_depths(self, depths: Depths) -> DataflowGraph:
        """A copy whose edges carry ``depths`` (edges not named keep theirs)."""
        unknown = set(depths) - set(self._edge)
        if unknown:
            raise ValueError(f"depths name unknown edges: {sorted(unknown)}")
        return DataflowGraph(self.kernels,
                             [replace(e, depth=depths.get(e.name, e.depth)) for e in self.edges])

    def fifo_bits(self, depths: Depths | None = None) -> int:
        """Total FIFO storage in bits (unbounded edges count as the whole batch)."""
        depths = self.depths() if depths is None else depths
        total = 0
        for e in self.edges:
            d = depths.get(e.name, e.depth)
            total += e.bits_per_word * (e.words if d is None else d)
        return total

    # -- serialisation ----------------------------------------------------------------
    def to_dict(self) -> dict:
        return {"kernels": [k.to_dict() for k in self.kernels],
                "edges": [e.to_dict() for e in self.edges]}

    def to_json(self, **kw) -> str:
        return json.dumps(self.to_dict(), **kw)

    @classmethod
    def from_dict(cls, d: Mapping) -> DataflowGraph:
        return cls([Kernel.from_dict(k) for k in d["kernels"]], [Edge(**e) for e in d["edges"]])

    @classmethod
    def from_json(cls, text: str) -> DataflowGraph:
        return cls.from_dict(json.loads(text))

    def __repr__(self) -> str:
        return (f"DataflowGraph({len(self.kernels)} kernels, {len(self.edges)} edges, "
                f"samples={self.samples}, period={self.period})")


class GraphBuilder:
    """Incremental construction: add kernels, connect the next free ports, build.

    >>> b = GraphBuilder()
    >>> src = b.add(Kernel.load("x", 4)); dst = b.add(Kernel.store("y", 4))
    >>> b.connect(src, dst).name
    'x.out0->y.in0'
    """

    def __init__(self) -> None:
        self.kernels: list[Kernel] = []
        self.edges: list[Edge] = []
        self._by_name: dict[str, Kernel] = {}

    def add(self, kernel: Kernel) -> str:
        if kernel.name in self._by_name:
            raise ValueError(f"duplicate kernel name {kernel.name!r}")
        self.kernels.append(kernel)
        self._by_name[kernel.name] = kernel
        return kernel.name

    def free_out_ports(self, name: str) -> list[str]:
        used = {e.src_port for e in self.edges if e.src == name}
        return [p for p in self._by_name[name].out_ports if p not in used]

    def free_in_ports(self, name: str) -> list[str]:
        used = {e.dst_port for e in self.edges if e.dst == name}
        return [p for p in self._by_name[name].in_ports if p not in used]

    def connect(self, src: str, dst: str, *, src_port: str | None = None,
                dst_port: str | None = None, bits_per_word: int = 32,
                depth: int | None = None) -> Edge:
        sp = src_port or next(iter(self.free_out_ports(src)), None)
        dp = dst_port or next(iter(self.free_in_ports(dst)), None)
        if sp is None or dp is None:
            raise ValueError(f"no free port to connect {src!r} -> {dst!r}")
        words = self._by_name[src].total_written(sp)
        e = Edge(src, sp, dst, dp, words, bits_per_word, depth)
        self.edges.append(e)
        return e

    def build(self) -> DataflowGraph:
        return DataflowGraph(self.kernels, self.edges)

