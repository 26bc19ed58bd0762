"""The frontend's one exception type: a user-facing, one-line error.

Every failure the user can cause (bad spec, missing file, unsupported op,
data-dependent control flow, non-differentiable activation) is raised as a
`FrontendError`; the CLI prints `str(err)` on one line and exits 1.
"""

from __future__ import annotations

import os
import traceback
from dataclasses import dataclass
from types import TracebackType
from typing import Optional


@dataclass(frozen=True)
class SourceLocation:
    """A line in the user's source (a model file or a factory)."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


class FrontendError(Exception):
    """A user-facing error; `str()` is `file:line: error: msg` or `error: msg`."""

    def __init__(self, message: str, source_location: Optional[SourceLocation] = None):
        super().__init__(message)
        self.message = message
        self.source_location = source_location

    def __str__(self) -> str:
        if self.source_location is not None:
            return f"{self.source_location}: error: {self.message}"
        return f"error: {self.message}"


# Frames inside these trees are library code, never "the user's line".
_LIBRARY_MARKERS = (
    f"{os.sep}torch{os.sep}",
    f"{os.sep}torch_mlir{os.sep}",
    f"{os.sep}functorch{os.sep}",
    f"{os.sep}inrarch_mlir{os.sep}",
    f"{os.sep}_pytest{os.sep}",
    f"{os.sep}pluggy{os.sep}",
    f"{os.sep}contextlib.py",
    "<frozen ",
    "<string>",
    "<stdin>",
)


def is_user_file(path: str) -> bool:
    """True for a file that is neither torch, torch-mlir nor this frontend."""
    return not any(marker in path for marker in _LIBRARY_MARKERS)


def user_location_from_traceback(tb: Optional[TracebackType]) -> Optional[SourceLocation]:
    """The innermost user frame of a traceback (where the user's code failed)."""
    found = None
    for frame in traceback.extract_tb(tb):
        if is_user_file(frame.filename):
            found = SourceLocation(frame.filename, frame.lineno or 0)
    return found


def user_location_from_stack_trace(stack_trace: Optional[str]) -> Optional[SourceLocation]:
    """The innermost user frame of an FX node's recorded `stack_trace` text."""
    if not stack_trace:
        return None
    import re

    found = None
    for file, line in re.findall(r'File "([^"]+)", line ([0-9]+)', stack_trace):
        if is_user_file(file):
            found = SourceLocation(file, int(line))
    return found
