"""The element type of an emitted design: float or fixed<W,I> (ap_fixed)."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Precision:
    """`float` or `fixed<W,I>` (ap_fixed, round to nearest, saturating)."""

    kind: str
    width: int = 32
    int_bits: int = 0

    @classmethod
    def parse(cls, text: str) -> "Precision":
        t = text.replace(" ", "")
        if t in ("float", "f32"):
            return cls("float")
        m = re.fullmatch(r"fixed<(\d+),(-?\d+)>", t)
        if not m:
            raise ValueError(f"--precision must be 'float' or 'fixed<W,I>', got '{text}'")
        w, i = int(m.group(1)), int(m.group(2))
        if not (2 <= w <= 64 and 1 <= i < w):
            raise ValueError(f"fixed<{w},{i}>: need 2 <= W <= 64 and 1 <= I < W")
        return cls("fixed", w, i)

    @property
    def fixed(self) -> bool:
        return self.kind == "fixed"

    @property
    def family(self) -> str:
        """'float' or 'fixed' (what the resource model keys on)."""
        return self.kind

    @property
    def element_bits(self) -> int | None:
        """Bits per stored element (None for float: the channels' own 32)."""
        return self.width if self.fixed else None

    @property
    def data_t(self) -> str:
        return f"ap_fixed<{self.width}, {self.int_bits}, AP_RND, AP_SAT>" if self.fixed else "float"

    @property
    def calc_t(self) -> str:
        """Type map bodies compute true (unscaled) values in: 24 more bits,
        14 of them integer, so intermediates neither overflow nor lose the
        precision of scaled inputs."""
        return f"ap_fixed<{self.width + 24}, {self.int_bits + 14}, AP_RND, AP_SAT>" if self.fixed else "float"

    @property
    def limit(self) -> float:
        return 2.0 ** (self.int_bits - 1)

    @property
    def lsb(self) -> float:
        return 2.0 ** -(self.width - self.int_bits)

    def __str__(self) -> str:
        return f"fixed<{self.width},{self.int_bits}>" if self.fixed else "float"
