"""Every pass is idempotent and leaves IR that verifies (issue 7).

For every `// -----` chunk of the lit inputs under test/Transforms and
test/Conversion that parses and verifies (chunks with expected-error
annotations are skipped), every registered pass that applies (runs without
error) is run once and then again on its own output via `Pipeline`: the
printed IR must not change and must verify. Passes that are not idempotent
on purpose would be listed in NOT_IDEMPOTENT with the reason (none are).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from inrarch_mlir import Pipeline, make_context
from inrarch_mlir.diagnostics import CompileError, parse_module
from inrarch_mlir.passes import PASSES, get_pass_class

TEST_ROOT = Path(__file__).resolve().parents[1]
SPLIT = "// -----"

#: pass name -> why running it twice may change the IR (none so far).
NOT_IDEMPOTENT: dict[str, str] = {}


def _chunks() -> list[tuple[str, str]]:
    out = []
    for d in ("Transforms", "Conversion"):
        for path in sorted((TEST_ROOT / d).rglob("*.mlir")):
            if "Output" in path.parts:
                continue
            parts, cur = [], []
            for line in path.read_text().splitlines(keepends=True):
                if line.strip() == SPLIT:
                    parts.append("".join(cur))
                    cur = []
                else:
                    cur.append(line)
            parts.append("".join(cur))
            for i, text in enumerate(parts):
                if "expected-error" in text or "func.func" not in text:
                    continue
                out.append((f"{path.relative_to(TEST_ROOT)}#{i}", text))
    return out


CHUNKS = _chunks()


def _run(text: str, name: str) -> str:
    module = parse_module(text, make_context(), name)
    Pipeline([get_pass_class(name)()]).run(module, filename=name)
    module.operation.verify()
    return str(module)


@pytest.mark.parametrize("name", sorted(PASSES))
def test_pass_is_idempotent(name):
    applied = 0
    for where, text in CHUNKS:
        try:
            parse_module(text, make_context(), where)
        except CompileError:
            continue  # chunk does not verify on its own (e.g. a pass's precondition case)
        try:
            once = _run(text, name)
        except CompileError:
            continue  # the pass does not apply to this chunk
        applied += 1
        twice = _run(once, name)  # raises if the output of the first run does not verify
        if name in NOT_IDEMPOTENT:
            continue
        assert twice == once, f"{name} is not idempotent on {where}"
    assert applied, f"{name} applied to no lit input"


def test_chunks_found():
    assert len(CHUNKS) >= 10
