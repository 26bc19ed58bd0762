"""Lints the lit tests themselves: a CHECK directive FileCheck would ignore.

A directive written with a full-width colon (or none) silently checks
nothing; fail on any such line.
"""

import re
from pathlib import Path

TEST_ROOT = Path(__file__).resolve().parents[1]
DIRECTIVE = re.compile(r"(//|#)\s*([A-Z][A-Z0-9-]*?)(-NEXT|-SAME|-NOT|-LABEL|-DAG|-EMPTY)?(\S?)")


def test_check_directives_have_ascii_colons():
    bad = []
    for path in list(TEST_ROOT.rglob("*.mlir")) + list((TEST_ROOT / "python").rglob("*.py")):
        if "corpus" in path.relative_to(TEST_ROOT).parts:
            continue  # bad inputs for test_corpus.py (some not even UTF-8), not lit tests
        prefixes = {"CHECK"} | set(re.findall(r"--check-prefix[es]*=([A-Z0-9,-]+)", path.read_text()))
        prefixes = {p for group in prefixes for p in group.split(",")}
        for n, line in enumerate(path.read_text().splitlines(), 1):
            m = DIRECTIVE.search(line)
            if m and m.group(2) in prefixes and m.group(4) != ":":
                bad.append(f"{path.relative_to(TEST_ROOT)}:{n}: {line.strip()}")
    assert not bad, "directives without an ASCII ':' are ignored by FileCheck:\n" + "\n".join(bad)
