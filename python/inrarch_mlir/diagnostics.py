"""Located diagnostics: capture MLIR's, print `file:line:col: error: ...`.

Every user-facing failure of the tools goes through here, so a user sees one
located line per problem and never a Python traceback. Also implements the
`// expected-error @+1 {{...}}` convention of `--verify-diagnostics`.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass, field

from torch_mlir import ir

_LOC_RE = re.compile(r'"([^"]*)":(\d+):(\d+)')
_SEVERITY = {
    ir.DiagnosticSeverity.ERROR: "error",
    ir.DiagnosticSeverity.WARNING: "warning",
    ir.DiagnosticSeverity.NOTE: "note",
    ir.DiagnosticSeverity.REMARK: "remark",
}


@dataclass
class Diagnostic:
    """One diagnostic with a resolved source position (line 0 = unknown)."""

    severity: str
    message: str
    file: str = "-"
    line: int = 0
    col: int = 0
    notes: list["Diagnostic"] = field(default_factory=list)

    def format(self) -> str:
        where = f"{self.file}:{self.line}:{self.col}: " if self.line else f"{self.file}: "
        text = f"{where}{self.severity}: {self.message}"
        for n in self.notes:
            text += "\n" + n.format()
        return text


class CompileError(Exception):
    """A failure already reported as diagnostics; carries them."""

    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__("\n".join(d.format() for d in diagnostics))
        self.diagnostics = diagnostics


def location_of(loc, filename: str = "-") -> tuple[str, int, int]:
    """(file, line, col) of an MLIR location; the stdin name `-` is replaced."""
    m = _LOC_RE.search(str(loc))
    if not m:
        return filename, 0, 0
    f = m.group(1)
    if f in ("-", "") or f == "<stdin>":
        f = filename
    return f, int(m.group(2)), int(m.group(3))


def from_mlir(diag, filename: str = "-") -> Diagnostic:
    f, line, col = location_of(diag.location, filename)
    sev = _SEVERITY.get(diag.severity, "error")
    notes = [from_mlir(n, filename) for n in diag.notes]
    # MLIR attaches "see current operation" notes to verifier errors; they
    # dump generic IR and only add noise for users.
    notes = [n for n in notes if not n.message.startswith("see current operation")]
    return Diagnostic(sev, diag.message, f, line, col, notes)


@contextmanager
def collecting(context: ir.Context, filename: str = "-"):
    """Collects every diagnostic emitted in `context` into the yielded list."""
    sink: list[Diagnostic] = []

    def handler(d):
        sink.append(from_mlir(d, filename))
        return True

    h = context.attach_diagnostic_handler(handler)
    try:
        yield sink
    finally:
        h.detach()


def parse_module(text: str, context: ir.Context, filename: str = "-", line_offset: int = 0) -> ir.Module:
    """Parses (and verifies) `text`; raises CompileError with located errors.

    `line_offset` shifts reported lines, for chunks of a split input file.
    """
    with context:
        try:
            return ir.Module.parse("\n" * line_offset + text)
        except ir.MLIRError as e:
            diags = [from_mlir(d, filename) for d in e.error_diagnostics]
            if not diags:
                diags = [Diagnostic("error", str(e), filename)]
            raise CompileError(diags) from None


# --------------------------------------------------------------------------
# --verify-diagnostics
# --------------------------------------------------------------------------

_EXPECT_RE = re.compile(
    r"expected-(error|warning|note|remark)\s*(@(?:[+-]\d+|above|below))?\s*\{\{(.*?)\}\}"
)


@dataclass
class Expectation:
    severity: str
    line: int
    text: str
    comment_line: int


def expectations(text: str, line_offset: int = 0) -> list[Expectation]:
    out = []
    for i, line in enumerate(text.splitlines(), start=1 + line_offset):
        for m in _EXPECT_RE.finditer(line):
            sev, where, msg = m.group(1), m.group(2), m.group(3)
            target = i
            if where in ("@above",):
                target = i - 1
            elif where in ("@below",):
                target = i + 1
            elif where:
                target = i + int(where[1:])
            out.append(Expectation(sev, target, msg, i))
    return out


def verify_expectations(
    produced: list[Diagnostic], expected: list[Expectation], filename: str
) -> list[Diagnostic]:
    """Problems found matching produced diagnostics against expectations."""
    problems: list[Diagnostic] = []
    flat: list[Diagnostic] = []
    for d in produced:
        flat.append(d)
        flat.extend(d.notes)
    unmatched = list(expected)
    for d in flat:
        hit = next(
            (e for e in unmatched if e.severity == d.severity and e.line == d.line and e.text in d.message),
            None,
        )
        if hit is not None:
            unmatched.remove(hit)
        elif d.severity in ("error", "warning"):
            problems.append(
                Diagnostic("error", f"unexpected {d.severity}: {d.message}", d.file, d.line, d.col)
            )
    for e in unmatched:
        problems.append(
            Diagnostic(
                "error",
                f'expected {e.severity} "{e.text}" was not produced',
                filename,
                e.comment_line,
                1,
            )
        )
    return problems
