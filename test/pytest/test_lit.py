"""Runs the lit + FileCheck suite, one pytest test per lit file.

So that one `pytest` command runs everything; a failure shows lit's output
for that file.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

TEST_ROOT = Path(__file__).resolve().parents[1]
EXCLUDED = {"pytest", "Inputs", "corpus", "__pycache__"}


def lit_files() -> list[Path]:
    files = []
    for path in sorted(TEST_ROOT.rglob("*")):
        rel = path.relative_to(TEST_ROOT)
        if path.suffix not in (".mlir", ".py") or rel.parts[0] in EXCLUDED or path.name == "lit.cfg.py":
            continue
        if any(p in EXCLUDED for p in rel.parts):
            continue
        if "RUN:" not in path.read_text(errors="replace"):
            continue
        files.append(path)
    return files


@pytest.mark.parametrize("path", lit_files(), ids=lambda p: str(p.relative_to(TEST_ROOT)))
def test_lit(path: Path):
    proc = subprocess.run(
        [sys.executable, "-c", "import sys; from lit.main import main; sys.exit(main())", "-v", str(path)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout[-8000:] + proc.stderr[-4000:]
