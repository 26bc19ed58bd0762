"""Shared CLI plumbing: input/output, usage and internal errors.

Every tool reports problems as one `error:` line and an exit status (1 for
errors, 2 for usage); a Python traceback is shown only with INRARCH_DEBUG=1.
"""

from __future__ import annotations

import os
import sys
import tempfile
import traceback
from pathlib import Path
from typing import NoReturn


def usage_error(tool: str, message: str) -> NoReturn:
    sys.stderr.write(f"{tool}: error: {message}\n")
    raise SystemExit(2)


def fail(message: str) -> NoReturn:
    """A one-line error (already located in `message` if it can be)."""
    sys.stderr.write(message.rstrip("\n") + "\n")
    raise SystemExit(1)


def internal_error(tool: str, exc: BaseException) -> int:
    if os.environ.get("INRARCH_DEBUG"):
        traceback.print_exc()
    sys.stderr.write(
        f"{tool}: error: internal error: {type(exc).__name__}: {exc} "
        "(please report it; set INRARCH_DEBUG=1 for a traceback)\n"
    )
    return 1


def read_input(path: str, tool: str) -> tuple[str, str]:
    """(display name, text) of a file or stdin; errors are one line."""
    try:
        data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except FileNotFoundError:
        fail(f"{tool}: error: cannot open '{path}': no such file")
    except IsADirectoryError:
        fail(f"{tool}: error: cannot open '{path}': is a directory")
    except OSError as e:
        fail(f"{tool}: error: cannot read '{path}': {e.strerror}")
    name = "<stdin>" if path == "-" else path
    try:
        return name, data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        col = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        fail(f"{name}:{line}:{col}: error: input is not valid UTF-8 (byte 0x{data[e.start]:02x})")


def write_atomically(path: str, text: str) -> None:
    """Writes `path` via a temporary file beside it and a rename, so a failure
    leaves no partial file; OSError on failure (the temporary file removed)."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(dir=target.parent if str(target.parent) else ".", prefix=f".{target.name}.")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it 0600; give it a plain file's mode
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_output(path: str, text: str, tool: str) -> None:
    """Writes `text` to stdout or atomically to `path` (temp file + rename)."""
    if not text.endswith("\n"):
        text += "\n"
    if path == "-":
        sys.stdout.write(text)
        return
    try:
        write_atomically(path, text)
    except OSError as e:
        fail(f"{tool}: error: cannot write '{path}': {e.strerror or e}")
