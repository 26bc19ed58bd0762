"""Loop counts of the C++ kernels that the timing model and `stream-parallelize` share.

:class:`MatmulLoop` is the MAC loop of `inrarch::matmul` (iterations per row
and the iteration that completes each output word, with accumulators
interleaved by the adder latency); :func:`stream_in_delay` is the stall of a
reader fed by a free-running producer (a weight load).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

__all__ = ["MatmulLoop", "matmul_compute_cycles", "stream_in_delay"]


@dataclass(frozen=True)
class MatmulLoop:
    """The MAC loop of the C++ matmul (`inrarch::matmul`) for one row: its
    iteration count and the iteration at which each output word is complete.

    Per iteration the kernel does KU = macs/lanes_out k values (1 when
    macs < lanes_out) for JU = min(macs, lanes_out) output lanes, a
    *lane block*; an output word has JB = lanes_out/JU lane blocks and
    needs KS = ceil(k/KU) steps of each.  So that no accumulator is updated
    twice within ``interleave`` (L, the adder latency) iterations, the loop
    cycles through U = G*JB lane blocks of G = ceil(L/JB) output words (G = 1
    when JB >= L), step-major: iteration (group, ks, g, jb), output word
    group*G + g.  The last group is padded to G words, so a row takes
    C = ceil(words/G) * KS * U iterations, and the G words of a group are
    complete in a burst, one every JB iterations, during the group's last
    step.  With L = 1 this is one word at a time, KS*JB iterations each.
    """

    k: int
    n: int
    lanes_out: int
    macs: int
    interleave: int = 1

    def __post_init__(self) -> None:
        if self.macs < 1 or self.interleave < 1 or self.lanes_out < 1:
            raise ValueError(f"matmul loop needs macs, lanes_out and interleave >= 1, got {self.macs}, "
                             f"{self.lanes_out}, {self.interleave}")

    @property
    def ku(self) -> int:
        return self.macs // self.lanes_out if self.macs >= self.lanes_out else 1

    @property
    def ju(self) -> int:
        return self.lanes_out if self.macs >= self.lanes_out else self.macs

    @property
    def ks(self) -> int:
        return -(-self.k // self.ku)

    @property
    def jb(self) -> int:
        return -(-self.lanes_out // self.ju)

    @property
    def words(self) -> int:
        return -(-self.n // self.lanes_out)

    @property
    def group(self) -> int:
        """G: output words interleaved."""
        return 1 if self.jb >= self.interleave else -(-self.interleave // self.jb)

    @property
    def unit(self) -> int:
        """U = G*JB: the distance, in iterations, between two updates of one accumulator."""
        return self.group * self.jb

    @property
    def groups(self) -> int:
        return -(-self.words // self.group)

    @property
    def per_group(self) -> int:
        return self.ks * self.unit

    @property
    def iterations(self) -> int:
        """C: MAC-loop iterations per row."""
        return self.groups * self.per_group

    def write_steps(self) -> tuple[int, ...]:
        """The iteration (from the loop's start) in which each output word is complete and written."""
        out = []
        for w in range(self.words):
            grp, g = divmod(w, self.group)
            out.append(grp * self.per_group + (self.ks - 1) * self.unit + g * self.jb + self.jb - 1)
        return tuple(out)


def matmul_compute_cycles(k: int, n: int, lanes_out: int, macs: int, interleave: int = 1) -> int:
    """Iterations of the C++ matmul's MAC loop per row (one per cycle): :class:`MatmulLoop`.

    With macs >= lanes_out, each output word takes ceil(k / (macs/lanes_out))
    steps of macs/lanes_out inputs; with fewer MACs than output lanes, each
    word takes k steps per group of `macs` lanes; with an adder latency L > 1
    (``interleave``) the words are computed in groups of about L, the last
    group padded.  So a row costs exactly ceil(k*n/macs) only when the MACs
    tile the row and L divides the words: choose them to.
    """
    return MatmulLoop(k, n, lanes_out, macs, interleave).iterations


def stream_in_delay(write_cycles: Sequence[int], read_cycles: Sequence[int], depth: int = 2) -> int:
    """Stall of a consumer reading a FIFO that a free-running producer fills, from its own nominal cycles.

    ``write_cycles``/``read_cycles`` are the nominal cycles (strictly
    increasing) of the producer's writes and the consumer's reads of the same
    words, the FIFO of ``depth`` >= 2 words between them, with the rules of
    :mod:`.events` (a read one cycle after its write, a write one cycle after
    the read that freed its slot, a stall delaying every later event of its
    side).  Returns by how many cycles the consumer's last read, and so
    everything after it, is late.  When one side is nowhere faster than the
    other (every gap between its words at least the other's) and no write
    finds the FIFO full at that answer, back-pressure never delays a read
    beyond what program order already does, and the answer is max(0, max over
    words of (write + 1 - read)); otherwise the two-sided recurrence is run
    word by word.  This is how a weight load (a
    `weights` process into its reader's buffer, not part of the graph)
    becomes its reader's ``prologue_cycles``.
    """
    import numpy as np

    w = np.asarray(write_cycles, dtype=np.int64)
    r = np.asarray(read_cycles, dtype=np.int64)
    if len(w) != len(r):
        raise ValueError(f"stream_in_delay: {len(w)} writes but {len(r)} reads")
    if depth < 2:
        raise ValueError(f"stream_in_delay needs a FIFO depth >= 2, got {depth}")
    if not len(w):
        return 0
    dw, dr = np.diff(w), np.diff(r)
    if (dr >= dw).all() or (dw >= dr).all():
        d = int(max(0, int((w + 1 - r).max())))
        # ... unless the reads lag so far that the FIFO fills: write k waits for read k - depth
        if len(w) <= depth or (r[:-depth] + d + 1 <= w[depth:]).all():
            return d
    wl, rl = w.tolist(), r.tolist()
    t_w = [0] * len(wl)
    t_r = [0] * len(rl)
    stall_w = stall_r = 0
    for k in range(len(wl)):
        tw = wl[k] + stall_w
        if k >= depth:
            tw = max(tw, t_r[k - depth] + 1)
        stall_w, t_w[k] = tw - wl[k], tw
        tr = max(rl[k] + stall_r, tw + 1)
        stall_r, t_r[k] = tr - rl[k], tr
    return int(stall_r)
