"""Pass anatomy: a frozen dataclass with a name, typed options and apply().

Options are dataclass fields declared with `option(default, help)`; on the
command line they are written like MLIR's, `stream-balance{min-depth=2
tolerance=0.01}` or `--stream-balance="min-depth=2"`: kebab-case names map
to snake_case fields and values are converted to the field's type. The help
text is what `inrarch-opt --help` shows under the pass.
"""

from __future__ import annotations

import dataclasses
import typing
from contextlib import contextmanager
from contextvars import ContextVar
from typing import ClassVar

from torch_mlir import ir

from ..dialects import stream_types as S
from ..dialects.walk import body_ops, funcs


class PassError(Exception):
    """A pass failure at an op; reported as a located diagnostic."""

    def __init__(self, op, message: str):
        super().__init__(message)
        self.op = op
        self.message = message


class OptionError(ValueError):
    """Bad pass name or option text (a usage error)."""


#: (location, message) warnings of the pass now running; the pipeline turns them
#: into located `warning:` diagnostics (MLIR's Python API emits errors only).
_warnings: ContextVar[list | None] = ContextVar("inrarch_pass_warnings", default=None)


def warn(op, message: str) -> None:
    """Report a located warning from a pass (the compilation goes on)."""
    sink = _warnings.get()
    if sink is not None:
        sink.append((op.location, message))  # the op itself may be erased later


@contextmanager
def collecting_warnings():
    """Yields the list that `warn` appends to while the block runs."""
    sink: list = []
    token = _warnings.set(sink)
    try:
        yield sink
    finally:
        _warnings.reset(token)


def option(default, help: str):
    """A pass option: a dataclass field with its `--help` text."""
    return dataclasses.field(default=default, metadata={"help": help})


def forked_stream_funcs(module: ir.Module, *, needs: str = "stream."):
    """Functions with an op whose name starts with `needs`, checked to have
    their forks materialized (graph passes need one consumer per channel)."""
    for f in funcs(module):
        if not any(op.name.startswith(needs) for op in body_ops(f)):
            continue
        if S.IMPLICIT_FORKS_ATTR in f.attributes:
            raise PassError(f, "function still has implicit forks; run stream-insert-forks first")
        yield f


@dataclasses.dataclass(frozen=True)
class ModulePass:
    """Base class of inrarch-mlir passes (they run on a builtin.module)."""

    name: ClassVar[str] = ""

    def apply(self, module: ir.Module) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    # -- description ------------------------------------------------------
    @classmethod
    def summary(cls) -> str:
        doc = (cls.__doc__ or "").strip()
        return doc.splitlines()[0] if doc else ""

    @classmethod
    def options(cls) -> list[dataclasses.Field]:
        return list(dataclasses.fields(cls))

    @staticmethod
    def option_help(f: dataclasses.Field) -> str:
        """The help text of an option (declared with `option(default, help)`)."""
        return f.metadata.get("help", "")

    def pipeline_text(self) -> str:
        opts = []
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if v != f.default:
                v = str(v).lower() if isinstance(v, bool) else v
                opts.append(f"{f.name.replace('_', '-')}={v}")
        return self.name + ("{" + " ".join(opts) + "}" if opts else "")

    # -- construction from text -----------------------------------------
    @classmethod
    def from_options(cls, text: str = ""):
        hints = typing.get_type_hints(cls)
        fields = {f.name: f for f in dataclasses.fields(cls)}
        kwargs = {}
        for item in _option_items(text):
            if not item:
                continue
            key, eq, value = item.partition("=")
            field = key.strip().replace("-", "_")
            if field not in fields:
                known = ", ".join(f.replace("_", "-") for f in fields) or "none"
                raise OptionError(f"pass '{cls.name}' has no option '{key}' (options: {known})")
            if not eq:
                raise OptionError(f"option '{key}' of pass '{cls.name}' needs a value ({key}=...)")
            kwargs[field] = _convert(hints[field], value, cls.name, key)
        try:
            return cls(**kwargs)
        except ValueError as e:
            raise OptionError(f"pass '{cls.name}': {e}") from None


def _option_items(text: str) -> list[str]:
    """`a=1 b=2,c=fixed<32,10>` -> ["a=1", "b=2", "c=fixed<32,10>"]: split at spaces and
    commas outside angle brackets (so a value such as fixed<W,I> stays whole)."""
    items, cur, depth = [], "", 0
    for ch in text.strip():
        depth += (ch == "<") - (ch == ">")
        if depth <= 0 and (ch.isspace() or ch == ","):
            if cur:
                items.append(cur)
            cur, depth = "", 0
        else:
            cur += ch
    if cur:
        items.append(cur)
    return items


def _convert(hint, value: str, pass_name: str, key: str):
    base = typing.get_origin(hint) or hint
    if hint is type(None) or base is typing.Union:  # Optional[X]: take X
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        base = args[0] if args else str
    try:
        if base is bool:
            if value.lower() in ("1", "true", "on", "yes"):
                return True
            if value.lower() in ("0", "false", "off", "no"):
                return False
            raise ValueError
        if base is int:
            return int(value)
        if base is float:
            return float(value)
        return value
    except ValueError:
        raise OptionError(
            f"option '{key}' of pass '{pass_name}' expects {getattr(base, '__name__', base)}, got '{value}'"
        ) from None
