"""Phases: the steps of a kernel's per-sample program, and the loops they describe.

A :class:`Phase` is one pipelined loop of a C++ kernel (or a part of one):
its iterations (one per cycle), the words it reads and writes on each port
and the iteration of each, and the pipeline latency of its writes. The
helpers build the phases of the loops the C++ kernels use: element-serial
loops reading a word every ``lanes`` elements (`row_reader`), packing
``lanes`` elements per word (`row_writer`), and loops whose words move at
arbitrary iterations (:func:`stepped_phases`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

__all__ = ["Phase", "serial_read_steps", "serial_write_steps", "stepped_phases"]


def _steps_tuple(steps) -> tuple[int, ...]:
    return tuple(int(x) for x in steps)


@dataclass(frozen=True)
class Phase:
    """One step of a kernel's per-sample program.

    Inside a phase of ``cycles`` steps the r-th of R reads on a port happens
    at step ``r * cycles // R`` and the w-th of W writes at
    ``w * cycles // W + latency`` (a pipeline delays writes, not reads),
    unless ``read_steps`` / ``write_steps`` give a port's steps explicitly
    (strictly increasing, in ``[0, cycles)``; writes still add ``latency``):
    that is how a loop whose words do not leave evenly (a matmul writing a
    group of output words in a burst, a slice keeping part of its input) is
    written.  The next phase starts after the last write has left the
    pipeline, so a phase lasts :attr:`duration` cycles.  ``stage`` groups
    phases that repeat per repetition; a kernel runs all repetitions of
    stage 0, then all of stage 1 (that is how a whole-tensor barrier is
    written).
    """

    cycles: int
    reads: Mapping[str, int] = field(default_factory=dict)
    writes: Mapping[str, int] = field(default_factory=dict)
    latency: int = 0
    stage: int = 0
    read_steps: Mapping[str, Sequence[int]] = field(default_factory=dict)
    write_steps: Mapping[str, Sequence[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "reads", dict(self.reads))
        object.__setattr__(self, "writes", dict(self.writes))
        object.__setattr__(self, "read_steps", {p: _steps_tuple(s) for p, s in self.read_steps.items()})
        object.__setattr__(self, "write_steps", {p: _steps_tuple(s) for p, s in self.write_steps.items()})
        if self.cycles < 1:
            raise ValueError(f"phase cycles must be >= 1, got {self.cycles}")
        if self.latency < 0:
            raise ValueError(f"phase latency must be >= 0, got {self.latency}")
        for what, ports in (("reads", self.reads), ("writes", self.writes)):
            for port, n in ports.items():
                if n < 0:
                    raise ValueError(f"phase {what} {n} words on port {port!r}; expected >= 0")
                if n > self.cycles:
                    raise ValueError(
                        f"phase {what} {n} words on port {port!r} in {self.cycles} cycles; "
                        "a port moves at most one word per cycle, so raise cycles"
                    )
        for what, ports, steps in (("read", self.reads, self.read_steps), ("write", self.writes, self.write_steps)):
            for port, st in steps.items():
                if len(st) != ports.get(port, -1):
                    raise ValueError(f"phase gives {len(st)} {what} steps on port {port!r} for "
                                     f"{ports.get(port, 0)} words; expected one step per word")
                if st and (st[0] < 0 or st[-1] >= self.cycles or any(b <= a for a, b in zip(st, st[1:]))):
                    raise ValueError(f"phase {what} steps on port {port!r} must increase strictly within "
                                     f"[0, {self.cycles}), got {list(st[:8])}{'...' if len(st) > 8 else ''}")

    @property
    def duration(self) -> int:
        """Cycles from this phase's start to the next phase's start."""
        return self.cycles + (self.latency if any(self.writes.values()) else 0)

    def steps(self, port: str, write: bool) -> tuple[int, ...]:
        """The step (from the phase's start, before ``latency``) of each word on ``port``."""
        ports, explicit = (self.writes, self.write_steps) if write else (self.reads, self.read_steps)
        if port in explicit:
            return explicit[port]
        n = ports.get(port, 0)
        return tuple(i * self.cycles // n for i in range(n))

    def to_dict(self) -> dict:
        d = {
            "cycles": self.cycles,
            "reads": dict(self.reads),
            "writes": dict(self.writes),
            "latency": self.latency,
            "stage": self.stage,
        }
        if self.read_steps:
            d["read_steps"] = {p: list(s) for p, s in self.read_steps.items()}
        if self.write_steps:
            d["write_steps"] = {p: list(s) for p, s in self.write_steps.items()}
        return d


def stepped_phases(cycles: int, reads: Mapping[str, Sequence[int]], writes: Mapping[str, Sequence[int]],
                   latency: int = 0) -> list[Phase]:
    """The phases of one pipelined loop of ``cycles`` iterations whose words move at given steps.

    ``reads``/``writes`` map each port to the iteration of each of its words
    (writes leave ``latency`` cycles later).  When the first write is not at
    iteration 0 the loop is written as two phases, the iterations before the
    first write and the rest, so that the phase carrying the writes starts
    with one (what `stream-annotate-timing` reads as the latency to the first
    output word); the events are the same either way.
    """
    reads = {p: _steps_tuple(s) for p, s in reads.items()}
    writes = {p: _steps_tuple(s) for p, s in writes.items() if len(s)}
    first = min((s[0] for s in writes.values()), default=0)
    if first <= 0 or first >= cycles:
        return [Phase(cycles, {p: len(s) for p, s in reads.items()}, {p: len(s) for p, s in writes.items()},
                      latency, read_steps=reads, write_steps=writes)]
    before = {p: tuple(x for x in s if x < first) for p, s in reads.items()}
    after = {p: tuple(x - first for x in s if x >= first) for p, s in reads.items()}
    a = Phase(first, {p: len(s) for p, s in before.items() if s}, read_steps={p: s for p, s in before.items() if s})
    b = Phase(cycles - first, {p: len(s) for p, s in after.items() if s},
              {p: len(s) for p, s in writes.items()}, latency,
              read_steps={p: s for p, s in after.items() if s},
              write_steps={p: tuple(x - first for x in s) for p, s in writes.items()})
    return [a, b]


def serial_read_steps(elements: int, lanes: int) -> tuple[int, ...]:
    """Iterations at which an element-serial loop over one row reads its words (`row_reader`)."""
    return tuple(range(0, elements, lanes))


def serial_write_steps(elements: int, lanes: int) -> tuple[int, ...]:
    """Iterations at which an element-serial loop writing one row completes each word (`row_writer`)."""
    return tuple(min(w + lanes, elements) - 1 for w in range(0, elements, lanes))


def _serial_read_phase(port: str, words: int | None, elements: int | None, lanes: int) -> Phase:
    """A loop reading one row: one word per iteration, or element-serial (a word every ``lanes``)."""
    if elements is None:
        return Phase(words, reads={port: words})
    steps = serial_read_steps(elements, lanes)
    if words is not None and words != len(steps):
        raise ValueError(f"{elements} elements at {lanes} lanes are {len(steps)} words, not {words}")
    return Phase(elements, reads={port: len(steps)}, read_steps={port: steps})


def _write_phases(port: str, words: int, elements: int | None, lanes: int, latency: int) -> list[Phase]:
    """A loop writing one row: one word per iteration, or element-serial (`row_writer`)."""
    if elements is None:
        return [Phase(words, writes={port: words}, latency=latency)]
    steps = serial_write_steps(elements, lanes)
    if words != len(steps):
        raise ValueError(f"{elements} elements at {lanes} lanes are {len(steps)} words, not {words}")
    return stepped_phases(elements, {}, {port: steps}, latency)
