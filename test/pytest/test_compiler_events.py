"""Progress as data: the stage timer, and the events a compile sends."""

from __future__ import annotations

from inrarch_mlir.compiler.events import Progress, ProgressEvent, Stage, StageTimer


class FakeClock:
    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


def test_stage_timer_charges_each_stage_until_the_next_begins():
    clock = FakeClock()
    timer = StageTimer(clock)
    for t, stage in [(0.0, Stage.IMPORT), (1.5, Stage.IMPORT), (2.0, Stage.LOWER), (2.25, Stage.EMIT)]:
        clock.t = t
        timer(ProgressEvent(stage, "x"))
    clock.t = 3.0
    timer.stop()
    assert timer.seconds == {Stage.IMPORT: 2.0, Stage.LOWER: 0.25, Stage.EMIT: 0.75}
    assert list(timer.rounded()) == ["import", "lower", "emit"]  # stage order, report keys


def test_progress_fans_out_to_every_listener():
    seen_a, seen_b = [], []
    say = Progress(seen_a.append, None, seen_b.append)
    say(Stage.BALANCE, "running stream-balance", 0.5)
    assert seen_a == seen_b == [ProgressEvent(Stage.BALANCE, "running stream-balance", 0.5)]


def test_a_compile_reports_its_stages_in_order(tmp_path):
    import inrarch_mlir

    events = []
    report = inrarch_mlir.compile("siren:in=2,hidden=8,layers=1,out=1,w0=30", 1, 2, outdir=tmp_path / "o",
                                  progress=events.append)
    stages = list(dict.fromkeys(e.stage for e in events))
    assert stages == list(Stage), stages  # every stage, each once, in order
    assert all(isinstance(e, ProgressEvent) and e.message for e in events)
    fractions = [e.fraction for e in events if e.fraction is not None]
    assert fractions and all(0.0 <= f < 1.0 for f in fractions)
    assert list(report.stage_seconds) == [str(s) for s in Stage]
    # pass-level messages name the pass that starts, whatever their wording
    assert any(e.stage == Stage.BALANCE and "stream-balance" in e.message for e in events)
