"""`--outputs LIST`: what a design computes, as outputs of partials.

An item of the comma-separated LIST is
- a partial: `y0`, `y0_x1`, `y2_x0x1` (channel 2, d^2/dx0 dx1; index order is free);
- a named operator, applied to every output channel: `value` (y_c), `gradient`
  and `jacobian` (every d y_c / dx_i), `hessian` (every unique d^2 y_c / dx_i dx_j),
  `laplacian` (sum_i d^2 y_c / dx_i^2; one output per channel), `divergence`
  (sum_i d y_i / dx_i, for a model with as many outputs as inputs);
- a linear combination with constant coefficients: `y0_x0x0+2*y0_x1x1`,
  `0.5*y0-y1_x0`, optionally named: `heat=y0_t-0.1*y0_x0x0` (a name is a C
  identifier; without one the text itself, made an identifier, names it).

`parse_outputs(text, in_features, out_features)` returns the `Output`s; any
mistake is one `FrontendError` naming the item.
"""

from __future__ import annotations

import itertools
import re
from typing import Dict, List, Tuple

from .derivatives import Output, Partial
from .errors import FrontendError

#: The named operators and what each means (for --help and errors).
OPERATORS = {
    "value": "every output channel y_c",
    "gradient": "every first partial d y_c / dx_i",
    "jacobian": "every first partial d y_c / dx_i (the Jacobian's entries)",
    "hessian": "every unique second partial d^2 y_c / dx_i dx_j",
    "laplacian": "sum_i d^2 y_c / dx_i^2, per channel",
    "divergence": "sum_i d y_i / dx_i (outputs = inputs)",
}

_PARTIAL = re.compile(r"y(\d+)((?:_(?:x\d+)+)?)")
_TERM = re.compile(r"\s*([+-]?)\s*(?:(\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)\s*\*\s*)?(y[\w]*)\s*")
_NAME = re.compile(r"[A-Za-z_]\w*")


def _partial(text: str, item: str, d: int, out: int) -> Partial:
    m = _PARTIAL.fullmatch(text)
    if not m:
        raise FrontendError(f"--outputs: '{text}' in '{item}' is not a partial (write y<c> or y<c>_x<i>x<j>..., "
                            f"e.g. y0_x0x1) or one of {', '.join(OPERATORS)}")
    c = int(m.group(1))
    index = tuple(sorted(int(i) for i in re.findall(r"x(\d+)", m.group(2))))
    if c >= out:
        raise FrontendError(f"--outputs: '{text}' in '{item}' names output channel {c}; the model has {out} "
                            f"(y0..y{out - 1})")
    if any(i >= d for i in index):
        raise FrontendError(f"--outputs: '{text}' in '{item}' differentiates by x{max(index)}; the model has {d} "
                            f"input coordinates (x0..x{d - 1})")
    return Partial(c, index)


def _combination(expr: str, item: str, d: int, out: int) -> Tuple[Tuple[float, Partial], ...]:
    terms: Dict[Partial, float] = {}
    pos = 0
    while pos < len(expr):
        m = _TERM.match(expr, pos)
        if not m or m.end() == pos or (pos > 0 and not m.group(1)):
            raise FrontendError(f"--outputs: cannot read '{item}' at '{expr[pos:]}': expected an operator "
                                f"({', '.join(OPERATORS)}), a partial such as y0_x0x1, or a combination such "
                                "as y0_x0x0+2*y0_x1x1")
        coef = float(m.group(2)) if m.group(2) else 1.0
        p = _partial(m.group(3), item, d, out)
        terms[p] = terms.get(p, 0.0) + (-coef if m.group(1) == "-" else coef)
        pos = m.end()
    kept = tuple((c, p) for p, c in terms.items() if c != 0)
    if not kept:
        raise FrontendError(f"--outputs: '{item}' is identically zero")
    return kept


def _identifier(text: str) -> str:
    """A C identifier for an unnamed combination: y0_x0x0+2*y0_x1x1 -> y0_x0x0_plus_2_y0_x1x1."""
    s = text.replace(" ", "").replace("+", "_plus_").replace("-", "_minus_").replace("*", "_").replace(".", "p")
    s = re.sub(r"\W", "_", s).strip("_")
    return s if _NAME.fullmatch(s) else f"out_{s}"


def _operator(name: str, d: int, out: int) -> List[Output]:
    chans = range(out)
    if name == "value":
        return [Output.of(Partial(c, ())) for c in chans]
    if name in ("gradient", "jacobian"):
        return [Output.of(Partial(c, (i,))) for c in chans for i in range(d)]
    if name == "hessian":
        return [Output.of(Partial(c, ix)) for c in chans for ix in itertools.combinations_with_replacement(range(d), 2)]
    if name == "laplacian":
        return [Output("laplacian" if out == 1 else f"laplacian_y{c}",
                       tuple((1.0, Partial(c, (i, i))) for i in range(d))) for c in chans]
    if name == "divergence":
        if out != d:
            raise FrontendError(f"--outputs: divergence needs as many outputs as input coordinates; the model "
                                f"maps {d} coordinates to {out} outputs")
        return [Output("divergence", tuple((1.0, Partial(i, (i,))) for i in range(d)))]
    raise AssertionError(name)


def parse_outputs(text: str, in_features: int, out_features: int) -> Tuple[Output, ...]:
    """The outputs `text` asks for (see the module docstring), in its order; duplicates are an error."""
    outputs: List[Output] = []
    items = [t.strip() for t in text.split(",")]
    if not text.strip() or any(not t for t in items):
        raise FrontendError(f"--outputs: empty item in '{text}'; give a comma-separated list such as "
                            "'y0,gradient,laplacian'")
    for item in items:
        name, expr = None, item
        if "=" in item:
            name, expr = (s.strip() for s in item.split("=", 1))
            if not _NAME.fullmatch(name):
                raise FrontendError(f"--outputs: '{name}' in '{item}' is not a name (letters, digits, _)")
        if expr in OPERATORS and name is None:
            outputs.extend(_operator(expr, in_features, out_features))
            continue
        terms = _combination(expr, item, in_features, out_features)
        if name is None and len(terms) == 1 and terms[0][0] == 1.0:
            outputs.append(Output.of(terms[0][1]))
        else:
            outputs.append(Output(name or _identifier(expr), terms))
    seen: Dict[str, int] = {}
    for o in outputs:
        if o.name in seen:
            raise FrontendError(f"--outputs: '{o.name}' is asked for twice")
        seen[o.name] = 1
    return tuple(outputs)
