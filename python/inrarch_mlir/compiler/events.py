"""Progress as data: the compile's stages, typed progress events, one stage timer.

Every step of a compile announces itself with a `ProgressEvent(stage,
message, fraction)`. The rich display of `inrarch compile` and the
`stage_seconds` of the report both come from these events, never from the
wording of a message.
"""

from __future__ import annotations

import time
from enum import StrEnum
from typing import Callable, NamedTuple, Optional


class Stage(StrEnum):
    """The stages of a compile, in the order they run (values are report keys)."""

    IMPORT = "import"
    LOWER = "lower"
    PARALLELIZE = "parallelize"
    BALANCE = "balance"
    CHECK = "check"
    EMIT = "emit"
    DATA = "data"
    SIMULATE = "simulate"
    REPORT = "report"


class ProgressEvent(NamedTuple):
    """One step beginning: its stage, what it does, and how far the stage is (0..1, or None)."""

    stage: Stage
    message: str
    fraction: Optional[float] = None


class StageTimer:
    """Wall time per stage: a stage runs from its first event to the next stage's first event."""

    def __init__(self, clock: Callable[[], float] = time.perf_counter):
        self._clock = clock
        self.seconds: dict[Stage, float] = {}
        self.current: Optional[Stage] = None
        self._since = 0.0

    def __call__(self, event: ProgressEvent) -> None:
        if event.stage != self.current:
            self.stop()
            self.current, self._since = event.stage, self._clock()

    def stop(self) -> None:
        """Closes the running stage (call once the work is done)."""
        if self.current is not None:
            self.seconds[self.current] = self.seconds.get(self.current, 0.0) + self._clock() - self._since
            self.current = None

    def rounded(self) -> dict[str, float]:
        """Seconds per stage in stage order, rounded to ms (the report's `stage_seconds`)."""
        return {str(s): round(self.seconds[s], 3) for s in Stage if s in self.seconds}


class Progress:
    """Fans one event out to listeners (the timer, the user's callback)."""

    def __init__(self, *listeners: Optional[Callable[[ProgressEvent], None]]):
        self.listeners = [f for f in listeners if f is not None]

    def __call__(self, stage: Stage, message: str, fraction: Optional[float] = None) -> None:
        event = ProgressEvent(stage, message, fraction)
        for listener in self.listeners:
            listener(event)
