"""DIR/results.csv: one row per point, rewritten atomically after every point.

Points differ in their report's keys (a design without a jet kernel has no
`kernel_kinds.jet`), so the header is the union of every row's columns in
the order they first appeared, the point's parameters and status first.
Rewriting the whole file through a temporary file and a rename means an
interrupted sweep always leaves a readable CSV, and resuming reads it back.
"""

from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path

#: The columns every row starts with (the point's parameters, then its outcome).
LEADING = ["point", "model", "order", "batch", "precision", "part", "dsp_budget", "fifo_tolerance", "ad", "seed",
           "status", "error", "seconds", "worker"]


def _cell(value) -> str:
    return "" if value is None else repr(value) if isinstance(value, float) else str(value)


def parse_cell(text: str):
    """A CSV cell back as int, float, bool or str ('' stays '')."""
    if text in ("True", "False"):
        return text == "True"
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            pass
    return text


class ResultsTable:
    """The rows of a sweep, keyed by point id, kept in results.csv."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.rows: dict[str, dict] = {}
        if self.path.is_file():
            with self.path.open(newline="") as f:
                for row in csv.DictReader(f):
                    if row.get("point"):
                        self.rows[row["point"]] = {k: parse_cell(v) for k, v in row.items() if k is not None}

    def __contains__(self, point_id: str) -> bool:
        return point_id in self.rows

    def add(self, row: dict) -> None:
        """Adds (or replaces) a point's row and rewrites the file."""
        self.rows[row["point"]] = row
        self.write()

    def reorder(self, point_ids) -> None:
        """Puts the rows of `point_ids` first, in that order (the grid's, not the order points finished)."""
        first = {i: self.rows[i] for i in point_ids if i in self.rows}
        self.rows = first | {i: r for i, r in self.rows.items() if i not in first}

    def columns(self) -> list[str]:
        seen = dict.fromkeys(LEADING)
        for row in self.rows.values():
            seen.update(dict.fromkeys(row))
        return list(seen)

    def write(self) -> None:
        columns = self.columns()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".results.", suffix=".csv", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", newline="") as f:
                writer = csv.writer(f)
                writer.writerow(columns)
                for row in self.rows.values():
                    writer.writerow([_cell(row.get(c)) for c in columns])
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
