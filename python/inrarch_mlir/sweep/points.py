"""What a sweep runs: the grid of design points and the lists they come from.

A `Point` is a plain frozen dataclass of strings and numbers, so it pickles
the same way for a local process pool and for a Dask cluster. Its `id` is
stable across runs (a readable slug plus a hash of every parameter): the
point's subdirectory and its key in results.csv, which is what makes a
sweep resumable.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from dataclasses import asdict, dataclass
from typing import Callable, Optional

#: The C simulations `--csim-mode` may ask for (the flags of `inrarch csim`).
CSIM_MODES = {"unbounded": [], "bounded": ["--bounded"], "timed": ["--bounded", "--timed"]}


class SweepError(ValueError):
    """A bad sweep definition; `str()` is one line naming the option."""


@dataclass(frozen=True)
class Point:
    """One design of a sweep: every argument of its compile, and where it goes."""

    model: str
    order: int
    batch: int
    precision: str
    part: str
    dsp_budget: Optional[int]  # None: the part's default budget
    fifo_tolerance: float
    ad: Optional[str] = None  # None: compile's default (Taylor mode, falling back to reverse)
    seed: int = 0

    def key(self) -> dict:
        """The parameters that identify the design (results.csv's leading columns)."""
        return asdict(self)

    @property
    def id(self) -> str:
        """`<model slug>_o1_b64_float_u50_d400_t0.01_<hash>`: readable, unique, the same on every run."""
        digest = hashlib.sha1(json.dumps(self.key(), sort_keys=True).encode()).hexdigest()[:8]
        parts = [_slug(self.model)[:48], f"o{self.order}", f"b{self.batch}", _slug(self.precision), _slug(self.part),
                 f"d{self.dsp_budget if self.dsp_budget is not None else 'default'}", f"t{self.fifo_tolerance:g}"]
        if self.ad:
            parts.append(self.ad)
        if self.seed:
            parts.append(f"s{self.seed}")
        return "_".join(parts + [digest])


def _slug(text: str) -> str:
    """A file-name-safe rendering: `siren:in=2,hidden=8` -> `siren-in2-hidden8`, `fixed<32,10>` -> `fixed32-10`."""
    text = text.rsplit("/", 1)[-1].replace(".py:", "-")
    text = re.sub(r"[=<>]", "", text)
    return re.sub(r"[^A-Za-z0-9.]+", "-", text).strip("-") or "model"


@dataclass(frozen=True)
class Task:
    """A point as a worker runs it: the design plus where to write it and whether to simulate it."""

    point: Point
    outdir: str
    csim: Optional[str] = None  # a key of CSIM_MODES, or None for no C simulation
    csim_timeout: float = 600.0


def split_list(text: str, option: str) -> list[str]:
    """Comma-separated items, commas inside `<...>` kept (`float,fixed<32,10>` is two items)."""
    items, depth, current = [], 0, ""
    for ch in text:
        depth += (ch == "<") - (ch == ">")
        if ch == "," and depth == 0:
            items.append(current.strip())
            current = ""
        else:
            current += ch
    items.append(current.strip())
    if not any(items):
        raise SweepError(f"{option}: empty list")
    if "" in items:
        raise SweepError(f"{option}: empty item in '{text}'")
    return list(dict.fromkeys(items))  # repeated values would be one point twice


def parse_list(text: str, option: str, convert: Callable[[str], object], check=None, what: str = "") -> list:
    """`split_list`, each item converted (int, float) and checked; one-line errors naming `option`."""
    out = []
    for item in split_list(text, option):
        try:
            value = convert(item)
        except ValueError:
            raise SweepError(f"{option}: '{item}' is not {what or convert.__name__}") from None
        if check is not None and (problem := check(value)):
            raise SweepError(f"{option}: {problem}")
        out.append(value)
    return list(dict.fromkeys(out))


def grid(models, orders, batches, precisions, parts, dsp_budgets, fifo_tolerances, ad=None, seed=0) -> list[Point]:
    """The cartesian product, in the order of the lists (the first list varies slowest)."""
    if not models:
        raise SweepError("--model: give at least one model")
    return [Point(m, o, b, p, part, d, t, ad, seed)
            for m, o, b, p, part, d, t in itertools.product(models, orders, batches, precisions, parts, dsp_budgets,
                                                            fifo_tolerances)]
