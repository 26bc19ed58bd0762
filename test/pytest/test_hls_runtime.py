"""Builds the hls_runtime C++ tests with CMake and runs them through ctest.

Configures the repository root into a temporary build directory, builds with
two jobs and asserts that every ctest passes (kernels vs C++ references,
fixed-point sin/cos error bound, bounded-FIFO deadlock detection).
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    shutil.which("cmake") is None or shutil.which("ctest") is None or shutil.which("g++") is None,
    reason="cmake, ctest and g++ are needed to build the C++ runtime tests",
)


def _run(cmd, **kw):
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if proc.returncode != 0:
        pytest.fail(f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def test_hls_runtime_ctest(tmp_path):
    build = tmp_path / "build"
    env = dict(os.environ, CXX=os.environ.get("CXX", "g++"))
    _run(["cmake", "-S", str(ROOT), "-B", str(build)], env=env)
    _run(["cmake", "--build", str(build), "-j2"], env=env)
    proc = subprocess.run(
        ["ctest", "--test-dir", str(build), "--output-on-failure", "-L", "hls_runtime"],
        capture_output=True, text=True,
    )
    summary = re.search(r"^\d+% tests passed.*$", proc.stdout, re.M)
    print(summary.group(0) if summary else proc.stdout[-2000:])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert summary and summary.group(0).startswith("100% tests passed"), proc.stdout
