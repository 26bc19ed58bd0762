# lit configuration for inrarch-mlir's FileCheck regression tests.
# Tools come from the installed package (console scripts on PATH); FileCheck
# is the Python `filecheck` package. pytest drives this suite (test/pytest).
import os
import shutil
import sys

import lit.formats

config.name = "inrarch-mlir"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir", ".py"]
config.test_source_root = os.path.dirname(__file__)
# corpus/ holds bad inputs driven by test/pytest/test_corpus.py, not lit tests.
config.excludes = ["lit.cfg.py", "pytest", "Inputs", "corpus", "__pycache__", "conftest.py"]

config.environment["PATH"] = os.pathsep.join(
    [os.path.dirname(sys.executable), config.environment.get("PATH", os.environ.get("PATH", ""))]
)
for var in ("HOME", "PYTHONPATH", "TMPDIR"):
    if var in os.environ:
        config.environment[var] = os.environ[var]

filecheck = shutil.which("filecheck", path=config.environment["PATH"]) or "filecheck"
config.substitutions.append(("%python", sys.executable))
config.substitutions.append(("FileCheck", filecheck))
